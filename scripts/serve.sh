#!/usr/bin/env bash
# Serves the portal at http://127.0.0.1:$PORT (default 8000). With CELERY_BROKER_URL set, a real
# Celery worker (and beat) run beside it; without, background tasks run inline in the web process.
#   scripts/serve.sh --check   only checks that the port is free (make run does this first)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"

if ! [[ "$PORT" =~ ^[0-9]+$ ]] || (( PORT < 1 || PORT > 65535 )); then
  echo "PORT must be a number from 1 to 65535, not '$PORT'." >&2
  exit 2
fi
# Binding is the only sure test: a server on 0.0.0.0 or one that is still starting counts too.
if ! "${PYTHON:-python3}" - "$PORT" <<'PYCODE'
import socket, sys
with socket.socket() as probe:
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as runserver does
    try:
        probe.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(1)
PYCODE
then
  echo "Port $PORT is in use: stop the other server or run \`make run PORT=$((PORT + 1))\`" >&2
  exit 1
fi
[ "${1:-}" = "--check" ] && exit 0

# Links in emails lead back to this server unless an address was given.
export PORTAL_URL="${PORTAL_URL:-http://127.0.0.1:$PORT}"
if [ -n "${CELERY_BROKER_URL:-}" ]; then
  # One BLAS/Tesseract thread per OCR read: extra threads only fight over the cores.
  OPENBLAS_NUM_THREADS=1 OMP_THREAD_LIMIT=1 .venv/bin/celery -A kyc_portal worker --beat --loglevel=INFO --concurrency=2 &
  worker=$!
  trap 'kill $worker 2>/dev/null' EXIT
  echo "Celery worker started (pid $worker) on $CELERY_BROKER_URL"
else
  echo "No CELERY_BROKER_URL: background tasks run inline."
fi
echo "Portal: http://127.0.0.1:$PORT   (links in emails: $PORTAL_URL; Ctrl-C to stop)"
$PY manage.py runserver "127.0.0.1:$PORT"  # not exec: the EXIT trap stops the worker
