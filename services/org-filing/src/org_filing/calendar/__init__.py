"""Working-day calendar answers (P-1, P-2) for bodies planning their filings."""
