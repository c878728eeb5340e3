"""Dimension 2: RubyLLM integration correctness (RG2xx) and its positive evidence."""
