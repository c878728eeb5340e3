"""Dimension 3: test quality (RG3xx)."""
