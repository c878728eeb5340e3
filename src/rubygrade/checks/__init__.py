"""Rules, one module each, grouped by rubric dimension (``deliverables/``, ``rubyllm/``, ...).

Modules here are imported by ``base.load_all()``; subclassing ``Rule`` registers a rule.
"""
