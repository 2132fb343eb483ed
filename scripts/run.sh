#!/usr/bin/env bash
# Run the embedded demo: a real Celery worker with embedded beat in the background (log:
# var/celery.log) and the web server on 127.0.0.1:$PORT in the foreground. When the web server
# stops (Ctrl-C, SIGTERM, or it crashes) the worker is stopped too.
# `make run` migrates, collects static files and loads the demo data before calling this.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8000}
PY=${PY:-.venv/bin/python}
VAR_DIR=${VAR_DIR:-$PWD/var}
export VAR_DIR
mkdir -p "$VAR_DIR/broker/processed"
CELERY_LOG="$VAR_DIR/celery.log"

worker_pid=""
web_pid=""
cleanup() {
    # Ignore further signals while stopping: `timeout` and make both send SIGTERM.
    trap '' INT TERM
    trap - EXIT
    for pid in $web_pid $worker_pid; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    # Celery's warm shutdown finishes the running task; give it 15 s, then kill.
    for _ in $(seq 1 30); do
        alive=""
        for pid in $web_pid $worker_pid; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        [ -z "$alive" ] && break
        sleep 0.5
    done
    for pid in $web_pid $worker_pid; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    echo ">> stopped web server and Celery worker"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Links in e-mails point at the address this demo actually runs on.
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"

echo ">> starting Celery worker with embedded beat (log: $CELERY_LOG)"
"$PY" -m celery -A trafficking_cms worker -B --pool solo --without-mingle --without-gossip \
    -l info >>"$CELERY_LOG" 2>&1 &
worker_pid=$!

sleep 2
if ! kill -0 "$worker_pid" 2>/dev/null; then
    echo "!! the Celery worker exited at once; the end of $CELERY_LOG:" >&2
    tail -n 30 "$CELERY_LOG" >&2
    exit 1
fi

echo
echo "================================================================"
echo "  Open http://127.0.0.1:$PORT/"
echo "  The demo logins were printed above (by manage.py load_demo)."
echo "  Celery worker + beat log: $CELERY_LOG"
echo "  Stop with Ctrl-C."
echo "================================================================"
echo

# The web server runs as a child we wait for, so a signal to this script is handled at once.
"$PY" manage.py runserver "127.0.0.1:$PORT" --noreload &
web_pid=$!
set +e
wait "$web_pid"
status=$?
set -e
web_pid=""
exit "$status"
