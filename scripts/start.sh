#!/usr/bin/env bash
# start.sh [agent options...]   (the README's `npm start -- <options>`)
#
# Prepares this checkout (npm deps, local RabbitMQ if installed, build) and runs the
# agent in the foreground: http://127.0.0.1:7420 by default. Without a reachable
# RabbitMQ the agent runs its built-in demo. `npm start -- --help` lists the options.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

bash "$ROOT/scripts/ensure-env.sh" --for start

MAIN="$ROOT/apps/agent/dist/main.js"
if [ ! -f "$MAIN" ]; then
  die "$MAIN was not built (apps/agent/src/main.ts missing?); would run: node $MAIN $*"
fi
# The agent's Node options (apps/agent/src/heap-tuning.ts AGENT_NODE_FLAGS; the bin's shebang has them too).
exec node --max-semi-space-size=8 "$MAIN" "$@"
