"""supervision domain."""
