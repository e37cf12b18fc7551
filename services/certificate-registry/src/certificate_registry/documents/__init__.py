"""Documents domain of the certificate registry."""
