"""Support plans (DESIGN §6b)."""
