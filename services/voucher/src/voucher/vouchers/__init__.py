"""vouchers domain."""
