"""People and roles: the city's administrator adds people, gives and takes their roles, deactivates and
reactivates them and resets their passwords; every change is kept in Django's admin log (who, when, what)."""
