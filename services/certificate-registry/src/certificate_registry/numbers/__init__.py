"""Certificate numbers domain: the public decode of a 22-character number (CR-1)."""
