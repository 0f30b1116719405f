"""Files on leads, milestones and commitment applications (DESIGN §6a)."""
