"""Rules of dimension: persistence."""
