"""Claims: facts with provenance, the life of a claim, deadlines, double-payment guards, routing."""
