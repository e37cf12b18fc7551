"""Subsidy policies as code: pure rules, policy tables and decision records."""
