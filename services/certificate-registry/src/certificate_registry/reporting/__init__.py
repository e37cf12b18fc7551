"""Reporting domain of the certificate registry."""
