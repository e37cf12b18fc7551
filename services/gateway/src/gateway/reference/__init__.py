"""Public reference answers under short paths: the certificate-number decode and the working-day calendar."""
