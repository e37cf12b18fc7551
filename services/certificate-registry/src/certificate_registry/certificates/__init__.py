"""Certificates domain of the certificate registry."""
