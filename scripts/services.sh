#!/usr/bin/env bash
# Install (Debian packages, as root) what the test lanes need — PostgreSQL, Redis, gettext,
# Chromium — and start PostgreSQL.
# Redis is installed only: the tests start their own redis-server on a free port (so they can stop
# and restart it). Prints nothing but errors; safe to run again.
set -euo pipefail

need_apt=()
command -v pg_ctlcluster >/dev/null || need_apt+=(postgresql)
command -v xgettext >/dev/null || need_apt+=(gettext)
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v chromium >/dev/null || need_apt+=(chromium)  # the browser tests drive Debian's build
command -v pdftotext >/dev/null || need_apt+=(poppler-utils)  # the document tests read the PDFs' text
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_apt+=(fonts-wqy-microhei)  # the PDFs' CJK font
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing ${need_apt[*]}: install them (apt-get install ${need_apt[*]}) or run as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | grep -q "^$version main .* online"; then
  pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 30); do
  su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
# The test role creates and drops its own test databases, so it needs CREATEDB.
su postgres -c "psql -qtAc \"DO \\\$\\\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shoutan') THEN
    CREATE ROLE shoutan LOGIN PASSWORD 'shoutan' CREATEDB;
  END IF; END \\\$\\\$;\"" >/dev/null
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname = 'shoutan'\"" | grep -q 1 \
  || su postgres -c "createdb -O shoutan shoutan"
