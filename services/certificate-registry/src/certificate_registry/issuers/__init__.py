"""Issuers domain of the certificate registry."""
