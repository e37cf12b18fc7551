"""institutions domain."""
