#!/usr/bin/env bash
# Set up and run every test lane: SQLite (the embedded default), then PostgreSQL.
#   bash scripts/test.sh              # both lanes (installs and starts PostgreSQL when root)
#   LANES=sqlite bash scripts/test.sh # one lane
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/services.sh  # PostgreSQL, Redis, gettext: every lane uses some of them
LANES=${LANES:-"sqlite postgres"}
PG_URL=${PG_URL:-postgres://shoutan:shoutan@127.0.0.1:5432/shoutan}

for lane in $LANES; do
  case $lane in
    sqlite)
      echo "=== lane: sqlite ==="
      DATABASE_URL= .venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
      DATABASE_URL= .venv/bin/python -m pytest "$@"
      ;;
    postgres)
      echo "=== lane: postgres ==="
      # the browser tests drive their own embedded (SQLite) server: the first lane ran them
      DATABASE_URL=$PG_URL .venv/bin/python -m pytest -m "not browser" "$@"
      PG_URL=$PG_URL bash scripts/restore_drill.sh # backup → restore → counts and verify_history on the copy
      ;;
    *) echo "unknown lane $lane" >&2; exit 2 ;;
  esac
done
