"""redeem domain."""
