"""bodies domain."""
