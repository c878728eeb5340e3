"""Rules of dimension: errors."""
