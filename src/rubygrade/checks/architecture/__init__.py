"""Rules of dimension: architecture."""
