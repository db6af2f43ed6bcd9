#!/usr/bin/env bash
# Serves the portal at http://127.0.0.1:8000. With CELERY_BROKER_URL set, a real Celery worker
# (and beat) run beside it; without, background tasks run inline in the web process.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if [ -n "${CELERY_BROKER_URL:-}" ]; then
  # One BLAS/Tesseract thread per OCR read: extra threads only fight over the cores.
  OPENBLAS_NUM_THREADS=1 OMP_THREAD_LIMIT=1 .venv/bin/celery -A kyc_portal worker --beat --loglevel=INFO --concurrency=2 &
  worker=$!
  trap 'kill $worker 2>/dev/null' EXIT
  echo "Celery worker started (pid $worker) on $CELERY_BROKER_URL"
else
  echo "No CELERY_BROKER_URL: background tasks run inline."
fi
echo "Portal: http://127.0.0.1:8000   (Ctrl-C to stop)"
$PY manage.py runserver 127.0.0.1:8000  # not exec: the EXIT trap stops the worker
