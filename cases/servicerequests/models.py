"""Service requests (DESIGN §6b)."""
