"""Rules of dimension: production."""
