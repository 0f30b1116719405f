"""The errors every case service raises live with the engine (it raises them too); re-exported here."""

from workflow.errors import Bilingual, CaseError, Conflict, Invalid, NotFound, NotPermitted

__all__ = ["Bilingual", "CaseError", "Conflict", "Invalid", "NotFound", "NotPermitted"]
