"""issuer_sync domain."""
