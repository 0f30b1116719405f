#!/usr/bin/env bash
# Set up and run the product in the embedded mode: SQLite, no services, server + worker + demo data.
#   bash scripts/run.sh            # serves http://127.0.0.1:8000/
#   bash scripts/run.sh 0.0.0.0:8000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DEBUG=${DEBUG:-1}
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_demo
exec .venv/bin/python manage.py run_embedded "${1:-127.0.0.1:8000}" --interval "${WORKER_INTERVAL:-15}"
