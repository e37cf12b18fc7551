"""The demo world (`make demo`): a small, realistic world loaded through the services' own APIs."""
