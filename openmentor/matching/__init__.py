"""Matching: the Django app lives here; the engine is the Django-free sub-package ``engine``."""
