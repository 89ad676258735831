#!/usr/bin/env bash
# Tests of scripts/stack/lib/common.sh, without starting a stack: the helpers are defined
# once (no *-up script redefines them), and pid_ok, start, say, die and q behave as the
# scripts rely on. Processes it starts are its own `sh -c sleep`s, stopped by PID.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACKS=$(cd "$HERE/.." && pwd)
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
check() { # WHAT COMMAND...: COMMAND must succeed (run in this shell, with its functions)
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
refute() { # WHAT COMMAND...: COMMAND must fail
  local what=$1; shift
  if "$@"; then fail "$what"; else pass "$what"; fi
}

# Every *-up sources the library and defines none of its functions itself.
for up in "$STACKS"/*-up; do
  check "$(basename "$up") sources lib/common.sh" grep -qF '. "$HERE/lib/common.sh"' "$up"
  refute "$(basename "$up") defines no helper of lib/common.sh" grep -nE '^(elapsed|say|die|pid_ok|alive|start|port_busy|q)\(\)' "$up"
done
# Nor does any other stack script (-down, -build, -restart).
for other in "$STACKS"/*-down "$STACKS"/kube-build "$STACKS"/pg-restart; do
  refute "$(basename "$other") defines no helper of lib/common.sh" grep -nE '^(elapsed|say|die|pid_ok|alive|start|port_busy|q)\(\)' "$other"
done

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
BASE=$tmp/base H=127.0.0.1 STACK_SCRIPT=test-up quiet=0
mkdir -p "$BASE/pids" "$BASE/logs"
# shellcheck source=common.sh
. "$HERE/common.sh"

start under-base sh -c 'sleep 60; :' "$BASE/data"
start base-arg sh -c 'sleep 60; :' x --base "$BASE"
start elsewhere sh -c 'sleep 60; :' "$tmp/other"
for n in under-base base-arg elsewhere; do pids+=("$(cat "$BASE/pids/$n.pid")"); done
echo stale-not-a-pid > "$BASE/pids/garbage.pid"
sleep 0.2   # the shells exec'd

check "pid_ok: an argument under \$BASE/" pid_ok under-base
check "pid_ok: an argument that is \$BASE" pid_ok base-arg
refute "pid_ok: a process of another tree is not ours" pid_ok elsewhere
refute "pid_ok: no PID file" pid_ok missing
refute "pid_ok: a PID file without a number" pid_ok garbage
check "pid_ok NAME ARGUMENT: an exact argument" pid_ok base-arg "$BASE"
refute "pid_ok NAME ARGUMENT: a longer argument does not match" pid_ok under-base "$BASE"
check "start: the log is under \$BASE/logs" test -f "$BASE/logs/under-base.log"
# alive: true from the moment start returns (before the child has exec'd), false once it ended.
start quick sh -c 'sleep 60; :' "$BASE/data"
check "alive: a process just started is alive" alive quick
kill -TERM "$(cat "$BASE/pids/quick.pid")"
wait "$(cat "$BASE/pids/quick.pid")" 2>/dev/null || true
refute "alive: a process that ended is not" alive quick
refute "alive: no PID file" alive missing
said=$(say hello)
check "say: prefixed with the script and the time ($said)" grep -qxE 'test-up \[[0-9]+\.[0-9]s\] hello' <<<"$said"
said=$(quiet=1; say hidden)
check "say: silent when quiet" test -z "$said"
died=$( (die boom) 2>&1 ) && status=0 || status=$?
check "die: exits 1 with the message on stderr ($died)" test "$status:$died" = "1:test-up: ERROR: boom"
check "q: single-quotes for sh" test "$(q "it's")" = "'it'\''s'"

if ((failures)); then echo "$failures failed"; exit 1; fi
echo "all passed"
