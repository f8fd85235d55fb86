#!/usr/bin/env bash
# Fuzz the API against its own OpenAPI document with schemathesis, on a real
# server: gunicorn with gunicorn.conf.py, DEBUG off, a fresh SQLite database in
# a temporary folder (migrated), a key from `manage.py create_api_key`.
#
# Bounded: a fixed seed, FUZZ_MAX_EXAMPLES cases per operation (about two
# minutes in all), and schemathesis stopped after FUZZ_TIMEOUT seconds (a
# failure). Any ERROR line in the server's log (a 5xx) fails the run too.
#
#   FUZZ_CHECKS       checks that fail the run (default: the four below)
#   FUZZ_REPORT_CHECKS  checks reported but not failing the run (default: none)
#   FUZZ_MAX_EXAMPLES (default 15)  FUZZ_SEED (default 11)  FUZZ_TIMEOUT (default 180)
#   PYTHON            the interpreter whose environment has gunicorn and schemathesis
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
BIN=$(cd "$(dirname "$PYTHON")" && pwd)
ALL_CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
FUZZ_CHECKS=${FUZZ_CHECKS:-$ALL_CHECKS}
FUZZ_REPORT_CHECKS=${FUZZ_REPORT_CHECKS:-}
FUZZ_MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-15}
FUZZ_SEED=${FUZZ_SEED:-11}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-180}

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DJANGO_SETTINGS_MODULE=config.settings DJANGO_READ_DOT_ENV=false \
  DEBUG=false SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=127.0.0.1 \
  SECRET_KEY="fuzz-$(head -c 48 /dev/urandom | base64)" FERNET_KEYS="fuzz-$RANDOM$RANDOM" \
  BLIND_INDEX_KEY="fuzz-$RANDOM$RANDOM" AUDIT_KEY="fuzz-$RANDOM$RANDOM" DATABASE_URL="sqlite:///$WORK/db.sqlite3" \
  WEB_CONCURRENCY=2 LOG_LEVEL=WARNING

"$PYTHON" manage.py migrate --noinput >/dev/null
KEY=$("$PYTHON" manage.py create_api_key fuzz | tail -n 1)

# The server's own log (Django's and gunicorn's) goes to a file, shown on failure.
"$PYTHON" -m gunicorn -c gunicorn.conf.py --bind "127.0.0.1:$PORT" \
  --access-logfile "$WORK/access.log" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 50); do
  if "$PYTHON" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null; then break; fi
  sleep 0.2
done

run() {  # run <checks>: schemathesis with those checks, in $WORK (it keeps a cache there)
  (cd "$WORK" && timeout --signal=INT "$FUZZ_TIMEOUT" "$BIN/schemathesis" run \
    "http://127.0.0.1:$PORT/v1/d/pii/openapi.json" \
    --header "Authorization: Bearer $KEY" \
    --checks "$1" \
    --max-examples "$FUZZ_MAX_EXAMPLES" --seed "$FUZZ_SEED" \
    --generation-database none --request-timeout 30 --no-color)
}

status=0
if [ -n "$FUZZ_REPORT_CHECKS" ]; then
  echo "== schemathesis, reported only: $FUZZ_REPORT_CHECKS"
  run "$FUZZ_REPORT_CHECKS" || echo "== (reported only: these failures do not fail the run)"
fi
echo "== schemathesis, failing the run: $FUZZ_CHECKS"
run "$FUZZ_CHECKS" || status=$?

if grep -q " ERROR " "$WORK/server.log"; then
  echo "== errors in the server log:"
  grep -A 30 " ERROR " "$WORK/server.log" | head -n 200
  status=1
fi
exit "$status"
