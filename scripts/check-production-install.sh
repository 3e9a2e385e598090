#!/usr/bin/env bash
# The built app runs on its runtime dependencies alone: copies the checkout as a host has it after `npm run build`,
# without the dev and test sources (dev/, tests/, bench/, scripts/), installs with `npm ci --omit=dev`, starts
# dist/web/server/main.js in production mode on SQLite and asks /healthz and the workspace's bundle. A dev module or a
# devDependency that production still loads fails here. Needs the npm registry (or its cache); `PORT` picks the port.
set -euo pipefail
cd "$(dirname "$0")/.."
for built in dist/web/server/main.js dist/workspace/workspace.js extensions/contact-form/assets/contact-form.css; do
  [ -f "$built" ] || { echo "missing $built: run \`npm run build\` first" >&2; exit 1; }
done
port="${PORT:-3499}"
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

tar -cf - --exclude=./node_modules --exclude=./.git --exclude=./data --exclude=./test-results --exclude=./playwright-report \
  --exclude=./dev --exclude=./tests --exclude=./bench --exclude=./scripts . | tar -C "$work" -xf -
mkdir -p "$work/data"
echo "== npm ci --omit=dev"
(cd "$work" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
echo "== installed packages: $(ls "$work/node_modules" | wc -l) top-level; liquidjs $( [ -d "$work/node_modules/liquidjs" ] && echo present || echo absent)"

key() { node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64"))'; }
echo "== node dist/web/server/main.js (MODE=production) on port $port"
(cd "$work" && MODE=production PORT="$port" HOST=127.0.0.1 SHOPIFY_API_KEY=check-production-key \
  SHOPIFY_API_SECRET="$(node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("hex"))')" \
  SHOPIFY_APP_URL=https://contact-capture.example.com DATABASE_URL="sqlite:$work/data/check.sqlite" \
  ENCRYPTION_KEYS="k1:$(key)" LOOKUP_KEYS="l1:$(key)" SYNC_WORKER=off \
  exec node dist/web/server/main.js) > "$work/server.log" 2>&1 &
server=$!

for _ in $(seq 1 100); do
  if health="$(curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null)"; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then echo "the server exited:" >&2; cat "$work/server.log" >&2; exit 1; fi
  sleep 0.2
done
[ -n "${health:-}" ] || { echo "no answer on /healthz:" >&2; cat "$work/server.log" >&2; exit 1; }
echo "/healthz: $health"
echo "$health" | grep -q '"mode":"production"' || { echo "not in production mode" >&2; exit 1; }
status="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/app/assets/workspace.js")"
echo "/app/assets/workspace.js: HTTP $status"
[ "$status" = 200 ] || exit 1
echo "OK: production starts with runtime dependencies only"
