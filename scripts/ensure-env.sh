#!/usr/bin/env bash
# ensure-env.sh [--for start|test] [--no-build]
#
# Makes this checkout runnable, idempotently, on a fresh Debian 12 machine:
#   1. npm dependencies (npm ci when node_modules is missing or older than the lock
#      file), and checks that better-sqlite3's native module loads;
#   2. test only: Debian packages the tests need (python3-oslo.messaging, chromium,
#      rabbitmq-server), installed with apt-get when running as root;
#   3. RabbitMQ on 127.0.0.1:5672 with the management API on :15672 (started and
#      plugin enabled when needed). Required for test; optional for start (the agent
#      falls back to its demo);
#   4. the build (tsc -b, vite build of the web app) when sources changed.
# Progress goes to stderr. Exit status is non-zero when something required is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

PURPOSE=start
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --for) PURPOSE="${2:-}"; shift 2 ;;
    --for=*) PURPOSE="${1#--for=}"; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
case "$PURPOSE" in start|test) ;; *) die "--for must be start or test (got '$PURPOSE')" ;; esac

PYTHON=/usr/bin/python3
CHROMIUM=/usr/bin/chromium
AMQP_PORT=5672
MGMT_URL=http://127.0.0.1:15672

# --- 1. Node and npm dependencies -------------------------------------------------

check_node() {
  command -v node >/dev/null || die "node is not installed (Node >= 20.19 is required)"
  node -e '
    const [maj, min] = process.versions.node.split(".").map(Number);
    if (maj < 20 || (maj === 20 && min < 19)) { console.error("Node " + process.versions.node + " is too old: >= 20.19 required"); process.exit(1); }
  ' || die "please install Node.js >= 20.19"
}

# better-sqlite3 is a native addon: its binding is only loaded when a database opens.
sqlite_loads() {
  (cd apps/agent && node -e "const D = require('better-sqlite3'); new D(':memory:').close()") >/dev/null 2>&1
}

ensure_node_modules() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund >&2
  fi
  if ! sqlite_loads; then
    log "better-sqlite3 native module does not load; rebuilding it"
    npm rebuild better-sqlite3 >&2 || true
    sqlite_loads || die "better-sqlite3 still does not load (needs the build tools: apt-get install -y build-essential python3)"
  fi
}

# --- 2. Debian packages (tests) -----------------------------------------------------

APT_UPDATED=0
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    warn "missing Debian packages: $*; run as root: apt-get update && apt-get install -y $*"
    return 1
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_test_packages() {
  local missing=()
  "$PYTHON" -c 'import oslo_messaging, oslo_context' >/dev/null 2>&1 || missing+=(python3-oslo.messaging python3-oslo.context)
  [ -x "$CHROMIUM" ] || missing+=(chromium)
  command -v rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_install "${missing[@]}" || return 1
  "$PYTHON" -c 'import oslo_messaging, oslo_context' >/dev/null 2>&1 || { warn "$PYTHON cannot import oslo_messaging"; return 1; }
  [ -x "$CHROMIUM" ] || { warn "$CHROMIUM is missing"; return 1; }
}

# --- 3. RabbitMQ --------------------------------------------------------------------

management_answers() {
  node -e '
    fetch(process.argv[1] + "/api/overview", { headers: { authorization: "Basic " + Buffer.from("guest:guest").toString("base64") }, signal: AbortSignal.timeout(3000) })
      .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));
  ' "$MGMT_URL" >/dev/null 2>&1
}

ensure_rabbitmq() {
  if ! port_open 127.0.0.1 "$AMQP_PORT"; then
    command -v rabbitmq-server >/dev/null 2>&1 || { warn "RabbitMQ is not installed"; return 1; }
    [ "$(id -u)" -eq 0 ] || { warn "RabbitMQ is not running; start it as root: rabbitmq-server -detached"; return 1; }
    log "starting RabbitMQ (rabbitmq-server -detached)"
    rabbitmq-server -detached >&2 || { warn "rabbitmq-server -detached failed"; return 1; }
    wait_until 120 port_open 127.0.0.1 "$AMQP_PORT" || { warn "RabbitMQ did not open port $AMQP_PORT within 120 s"; return 1; }
    timeout 120 rabbitmqctl await_startup >/dev/null 2>&1 || warn "rabbitmqctl await_startup did not confirm; continuing as the port is open"
  fi
  if ! management_answers; then
    if ! rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_management; then
      log "enabling rabbitmq_management"
      rabbitmq-plugins enable rabbitmq_management >&2 || { warn "could not enable rabbitmq_management"; return 1; }
    fi
    wait_until 120 management_answers || { warn "the management API ($MGMT_URL) did not answer within 120 s"; return 1; }
  fi
  log "RabbitMQ is up (amqp 127.0.0.1:$AMQP_PORT, management $MGMT_URL)"
}

# --- 4. Build -----------------------------------------------------------------------

web_needs_build() {
  [ -f apps/web/dist/index.html ] || return 0
  [ -n "$(find apps/web/src apps/web/index.html apps/web/vite.config.ts shared/src package-lock.json \
            -newer apps/web/dist/index.html -print -quit 2>/dev/null)" ]
}

build() {
  # tsc -b is incremental. For start only the agent (and shared) must compile; the
  # test set-up typechecks every project.
  if [ "$PURPOSE" = test ]; then
    log "building (tsc -b)"
    npx tsc -b >&2 || { warn "tsc -b failed"; return 1; }
  else
    log "building the agent (tsc -b shared apps/agent)"
    npx tsc -b shared apps/agent >&2 || { warn "tsc -b shared apps/agent failed"; return 1; }
  fi
  if web_needs_build; then
    log "building the web app (vite build)"
    npm run build -w @osloscope/web >&2 || { warn "web build failed"; return 1; }
  fi
}

# --- main ---------------------------------------------------------------------------

status=0
check_node
ensure_node_modules
if [ "$PURPOSE" = test ]; then
  ensure_test_packages || status=1
  ensure_rabbitmq || status=1
else
  ensure_rabbitmq || warn "no local RabbitMQ: the agent will run its demo unless told otherwise"
fi
if [ "$BUILD" -eq 1 ]; then
  build || status=1
fi
exit "$status"
