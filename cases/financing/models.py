"""Financing (DESIGN §6b)."""
