"""Batches domain of the certificate registry."""
