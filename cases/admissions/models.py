"""Admission support (DESIGN §6b)."""
