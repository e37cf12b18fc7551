"""guantong domain."""
