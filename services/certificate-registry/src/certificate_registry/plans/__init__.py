"""Plans domain of the certificate registry: asking org-filing whether a filed plan allows a batch (OF-5)."""
