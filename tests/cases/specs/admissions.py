"""The permission matrix spec of this case type (see tests/cases/specs/__init__.py)."""

SPEC = None
