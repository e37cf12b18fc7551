"""Version 1 of the suite's contracts (between services, and on the gateway's public routes)."""
