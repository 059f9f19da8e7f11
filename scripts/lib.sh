# Shared shell helpers for scripts/*.sh (sourced, not executed).

log()  { printf '[osloscope] %s\n' "$*" >&2; }
warn() { printf '[osloscope] warning: %s\n' "$*" >&2; }
die()  { printf '[osloscope] error: %s\n' "$*" >&2; exit 1; }

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() {
  timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# wait_until SECONDS CMD...: runs CMD every second until it succeeds or time is up.
wait_until() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 1
  done
}
