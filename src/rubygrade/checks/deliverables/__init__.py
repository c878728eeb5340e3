"""Dimension 1: deliverable completeness (RG1xx)."""
