"""lapse domain."""
