#!/usr/bin/env bash
# Set up and run the product in the embedded mode: SQLite, no services, server + worker + demo data.
#   bash scripts/run.sh            # serves http://127.0.0.1:8000/
#   bash scripts/run.sh 0.0.0.0:8000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The formal papers (PDF) embed a CJK font: Debian's WenQuanYi Micro Hei, or any TrueType font in PDF_FONT.
# Installed when we may (root with apt); otherwise everything but the PDFs works, and they say what to do.
if [ ! -f "${PDF_FONT:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei; } >/dev/null 2>&1 \
      || echo "could not install fonts-wqy-microhei: install it or set PDF_FONT for the PDF documents" >&2
  else
    echo "no CJK font for the PDF documents: apt-get install fonts-wqy-microhei, or set PDF_FONT" >&2
  fi
fi
export DEBUG=${DEBUG:-1}
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_demo
exec .venv/bin/python manage.py run_embedded "${1:-127.0.0.1:8000}" --interval "${WORKER_INTERVAL:-15}"
