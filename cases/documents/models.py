"""The formal papers of the process as PDF, with their document numbers (DESIGN §6a)."""
