#!/usr/bin/env bash
# Starts the whole system on free ports with its own data dir, runs the Playwright suite against it
# in headless Chromium, and stops every process whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
workdir=$(mktemp -d /tmp/acme-e2e.XXXXXX)
state="$workdir/state.json"
.venv/bin/python -m launcher run --free-ports --quiet --data-dir "$workdir" --state-file "$state" &
launcher=$!
stop() { kill -TERM "$launcher" 2>/dev/null || true; wait "$launcher" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 600); do
  [ -s "$state" ] && break
  kill -0 "$launcher" 2>/dev/null || { echo "The system did not start; logs in $workdir/logs" >&2; tail -n 30 "$workdir"/logs/*.log >&2 || true; exit 1; }
  sleep 0.2
done
[ -s "$state" ] || { echo "The system did not start within 120 s" >&2; exit 1; }
url=$(.venv/bin/python -c 'import json,sys; print(json.load(open(sys.argv[1]))["bff_url"])' "$state")
echo "End-to-end tests against $url (logs in $workdir/logs)"
cd frontend
E2E_BASE_URL="$url" npx playwright test "$@"
