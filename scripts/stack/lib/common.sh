# Shared by scripts/stack/*-up (sourced, not run): messages, the start-up clock, and the
# processes a stack starts and recognises by PID file. Before sourcing, a script sets
#   STACK_SCRIPT  its name for messages ("pg-up")
#   BASE          the stack's directory (pids/ and logs/ are under it)
#   quiet         optional: 1 silences `say` (kube-up --quiet)
# shellcheck shell=bash

T0=$(date +%s.%N)   # a script that waits for a lock first resets it: start-up is measured from there

# Seconds since T0, one decimal.
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
say() { ((${quiet:-0})) || echo "$STACK_SCRIPT [$(elapsed)s] $*"; }
die() { echo "$STACK_SCRIPT: ERROR: $*" >&2; exit 1; }

# pid_ok NAME [ARGUMENT]: the process recorded in $BASE/pids/NAME.pid is alive and is ours
# (a PID alone may have been reused by anything since): one of its arguments is exactly
# ARGUMENT when given, else one names a path under $BASE ("$BASE/…", or ends in "$BASE",
# as `--base "$BASE"` does).
pid_ok() {
  local pid
  pid=$(cat "$BASE/pids/$1.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] || return 1
  if [ $# -ge 2 ]; then
    tr '\0' '\n' < "/proc/$pid/cmdline" | grep -qxF -- "$2"
  else
    tr '\0' '\n' < "/proc/$pid/cmdline" |
      awk -v b="$BASE" 'index($0, b "/") || substr($0, length($0) - length(b) + 1) == b { f = 1 } END { exit !f }'
  fi
}

# alive NAME: the process `start` just started is still there (and no zombie). For waiting
# on a process right after `start`, not pid_ok: until the background child has exec'd, its
# command line is the starting script's, which names no $BASE/ (a starting containerd was
# once taken for one that had exited).
alive() {
  local pid
  pid=$(cat "$BASE/pids/$1.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null
}

# start NAME CMD...: runs CMD in a session of its own (so the -down script can stop its whole
# process group by PID), output in $BASE/logs/NAME.log, PID in $BASE/pids/NAME.pid.
start() {
  local n=$1; shift
  setsid "$@" > "$BASE/logs/$n.log" 2>&1 < /dev/null &
  echo $! > "$BASE/pids/$n.pid"
}

# port_busy PORT: something accepts connections on $H:PORT.
port_busy() { (exec 3<>"/dev/tcp/$H/$1") 2>/dev/null; }

# q TEXT: TEXT single-quoted for sh (env.sh files).
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
