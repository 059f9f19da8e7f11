#!/usr/bin/env bash
# test.sh   (the README's `npm test`)
#
# Prepares the machine (scripts/ensure-env.sh --for test: npm deps, Debian packages,
# RabbitMQ with the management API, build), lints (ESLint with the layer rules, Prettier),
# type-checks the test files, then runs the vitest projects unit,
# integration and e2e in turn. Every project runs even if an earlier one failed; each
# writes test-output/<project>.json. The last output line is `N passed, N failed`.
# Exit status is non-zero when a test failed, a suite did not run, the set-up failed,
# or no test passed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

PROJECTS=(unit integration e2e)
# Per-project wall-clock limit, so a hung suite cannot stall CI (the whole run must
# stay well under 90 minutes on 2 cores).
SUITE_TIMEOUT="${OSLOSCOPE_SUITE_TIMEOUT:-30m}"

mkdir -p test-output
for p in "${PROJECTS[@]}"; do rm -f "test-output/$p.json"; done

reports=()
if ! bash "$ROOT/scripts/ensure-env.sh" --for test; then
  warn "environment set-up failed (see above); running the tests anyway"
  reports+=("--problem=environment set-up failed (scripts/ensure-env.sh --for test); see its warnings above")
fi

# The code's habits: ESLint (incl. the layer rules) and Prettier. A failure is reported like a
# failed suite, and the tests still run.
log "linting (eslint, prettier --check)"
if ! npx eslint . >&2; then
  warn "eslint found problems (see above; npx eslint .)"
  reports+=("--problem=eslint found problems (npx eslint .)")
fi
if ! npx prettier --check . >&2; then
  warn "files not formatted (npm run format)"
  reports+=("--problem=files not formatted by prettier (npm run format)")
fi

# Test files are outside the build (tsc -b): type-check them too, so they stay strict.
log "type-checking the tests (tsconfig.tests.json, apps/web/tsconfig.tests.json)"
if ! npx tsc -p tsconfig.tests.json >&2 || ! npx tsc -p apps/web/tsconfig.tests.json >&2; then
  warn "test files do not type-check (see above)"
  reports+=("--problem=test files do not type-check (npx tsc -p tsconfig.tests.json; npx tsc -p apps/web/tsconfig.tests.json)")
fi

# `timeout` runs the suite in its own process group (so a timeout ends every child),
# which also hides it from the terminal's Ctrl-C: forward INT/TERM to it ourselves.
suite_pid=
interrupted=0
trap 'interrupted=1; [ -n "$suite_pid" ] && kill -TERM "$suite_pid" 2>/dev/null' INT TERM

for p in "${PROJECTS[@]}"; do
  [ "$interrupted" -eq 1 ] && break
  log "vitest project: $p"
  timeout --kill-after=30s "$SUITE_TIMEOUT" \
    npx vitest run --project "$p" --passWithNoTests \
      --reporter=default --reporter=json --outputFile="test-output/$p.json" &
  suite_pid=$!
  wait "$suite_pid"
  rc=$?
  # A trapped signal interrupts `wait`; wait again for the real exit status.
  while kill -0 "$suite_pid" 2>/dev/null; do wait "$suite_pid"; rc=$?; done
  suite_pid=
  [ "$rc" -eq 124 ] && warn "$p: timed out after $SUITE_TIMEOUT"
  [ "$rc" -ne 0 ] && warn "$p: vitest exited with $rc"
  reports+=("$p=test-output/$p.json=$rc")
done

[ "$interrupted" -eq 1 ] && reports+=("--problem=interrupted by a signal")

echo
node "$ROOT/scripts/sum-test-results.mjs" "${reports[@]}" > test-output/summary.txt
sum_rc=$?
# Per-project lines and problems first, the `N passed, N failed` line last.
cat test-output/summary.txt
exit "$sum_rc"
