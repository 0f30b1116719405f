#!/usr/bin/env bash
# Restore drill (docs/deployment.md "Backups"): fill a PostgreSQL database with the demo and a year of its due
# work, dump it as an operator's backup would (pg_dump -Fc), restore the dump into a fresh database, and check
# the copy: the same number of rows in every table that matters, and every case's history chain intact
# (manage.py verify_history). Leaves nothing behind. Run by the PostgreSQL lane of scripts/test.sh.
#   PG_URL=postgres://user:pass@host:5432/db bash scripts/restore_drill.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PG_URL=${PG_URL:-postgres://shoutan:shoutan@127.0.0.1:5432/shoutan}
server=${PG_URL%/*}
suffix=$(printf '%s' "$PWD" | sha1sum | cut -c1-8) # one pair of databases per checkout
src=shoutan_drill_${suffix}_src
copy=shoutan_drill_${suffix}_copy
work=$(mktemp -d)
cleanup() {
  psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $copy" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup
mkdir -p "$work"
psql -q "$PG_URL" -c "CREATE DATABASE $src" -c "CREATE DATABASE $copy" >/dev/null

manage() { DATABASE_URL=$1 VAR_DIR=$work .venv/bin/python manage.py "${@:2}"; }
manage "$server/$src" migrate --noinput -v0
manage "$server/$src" load_demo >/dev/null
manage "$server/$src" process_due --now 2027-12-31T12:00:00+08:00 >/dev/null # warnings, escalations, ladders

pg_dump -Fc -d "$server/$src" -f "$work/backup.dump"
pg_restore --no-owner -d "$server/$copy" "$work/backup.dump"

tables="cases_lead cases_commitmentapplication cases_credit workflow_transitionrecord workflow_clock
        notifications_notification notifications_delivery cases_leadgroupobjectpermission auth_user"
for table in $tables; do
  before=$(psql -tA -d "$server/$src" -c "SELECT count(*) FROM $table")
  after=$(psql -tA -d "$server/$copy" -c "SELECT count(*) FROM $table")
  if [ "$before" != "$after" ]; then
    echo "restore drill: $table has $before rows in the backup's source and $after in the restored copy" >&2
    exit 1
  fi
  [ "$table" = workflow_transitionrecord ] && history_rows=$after
done
if [ "${history_rows:-0}" -lt 5 ]; then
  echo "restore drill: only ${history_rows:-0} history rows: the drill checked nothing" >&2
  exit 1
fi
manage "$server/$copy" verify_history
echo "restore drill: passed ($history_rows history rows restored and verified)"
