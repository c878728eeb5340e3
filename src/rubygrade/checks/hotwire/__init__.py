"""Dimension 6: Hotwire, Turbo Streams and Stimulus (RG6xx)."""
