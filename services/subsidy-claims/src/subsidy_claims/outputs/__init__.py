"""Outputs: the publicity list, the bank's payment batch file, statistics."""
