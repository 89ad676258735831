# Benchmark `lua`: CPU-bound Lua programs (bench/*.lua) under `unidesk run` with its default
# limits versus Debian's lua5.4 interpreter (the cold start is scripts/bench.d/startup.sh's).
# Run through scripts/bench, which sets ROOT, UNIDESK_BIN, BENCH_RUNS, BENCH_WARMUP and
# BENCH_SECTION (the file that receives this benchmark's markdown).
# needs: lua5.4:lua5.4
set -euo pipefail
source "$ROOT/scripts/bench.d/lib.sh"

# program|what it stresses; each prints a checksum, which must be the same under both.
PROGRAMS=(
    "fib|recursive calls, integer arithmetic"
    "sieve|array-part table loads and stores, integer loops"
    "nbody|floating point, record fields, global math.sqrt in the hot loop"
    "strings|string.format, gsub, gmatch, table.concat through the global library tables"
    "trees|allocation and GC (binary trees), table constructors, closures"
)
BENCH_ROUNDS="${BENCH_ROUNDS:-5}"

BENCH_LOAD_START="$(load_average)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$ROOT/bench"
ud="$(printf '%q' "$UNIDESK_BIN")"

# Same stdout from both runners, or no timing at all.
for entry in "${PROGRAMS[@]}"; do
    p="${entry%%|*}"
    lua5.4 "$p.lua" >"$tmp/$p.lua5.4.out"
    if ! "$UNIDESK_BIN" run "$p.lua" --no-color >"$tmp/$p.unidesk.out" 2>"$tmp/$p.unidesk.err"; then
        echo "scripts/bench lua: unidesk run $p.lua failed:" >&2
        cat "$tmp/$p.unidesk.err" >&2
        exit 1
    fi
    if ! diff -u "$tmp/$p.lua5.4.out" "$tmp/$p.unidesk.out" >&2; then
        echo "scripts/bench lua: bench/$p.lua prints different output under lua5.4 and unidesk" >&2
        exit 1
    fi
done
echo "outputs match: lua5.4 and unidesk print the same checksums" >&2

# time_pair NAME RUNS WARMUP: both runners, timed together in rounds -> $tmp/NAME.json
time_pair() {
    hyperfine_rounds "$tmp/$1.json" "$2" "$3" \
        -n lua5.4 "lua5.4 $1.lua" \
        -n unidesk "$ud run $1.lua --no-color"
}

# The table is benchlib's (lua-table).
table_args=()
for entry in "${PROGRAMS[@]}"; do
    p="${entry%%|*}"
    time_pair "$p" "$BENCH_RUNS" "$BENCH_WARMUP"
    table_args+=(--program "$p" "${entry#*|}" "$tmp/$p.json")
done
table="$(benchlib lua-table "${table_args[@]}")"
table() { echo "$table"; }

{
    echo "## Lua VM: \`unidesk run\` vs \`lua5.4\`"
    echo
    echo "_Written by \`scripts/bench lua\`; do not edit between the markers (notes go after the end marker)._"
    echo
    machine_markdown
    busy_warning
    echo "- Versions: $(lua5.4 -v 2>&1 | awk 'NR == 1 { print $1, $2 }'); $("$UNIDESK_BIN" version) built from $(source_revision); system liblua5.4 $(dpkg-query -W -f '${Version}' liblua5.4-0 2>/dev/null || echo '?')"
    echo "- Reproduce: \`scripts/bench lua\` (from the repository root; defaults \`BENCH_RUNS=15 BENCH_ROUNDS=5 BENCH_WARMUP=2\`, this run \`BENCH_RUNS=$BENCH_RUNS BENCH_ROUNDS=$BENCH_ROUNDS BENCH_WARMUP=$BENCH_WARMUP\`)"
    echo "- Method: $(runs_of "$tmp/${PROGRAMS[0]%%|*}.json") runs of each command after $BENCH_WARMUP warm-up runs, in $BENCH_ROUNDS consecutive \`hyperfine -N\` invocations that each time \`lua5.4 FILE\` and \`unidesk run FILE --no-color\` (default limits: 1800 s deadline, 512 MiB memory cap) from \`bench/\`, so drifts in machine load hit both; both runners' stdout (a checksum per program) compared first. Speed ratio ≥ 0.95 is the goal; its ± comes from both standard deviations. The last two columns are the same ratio by fastest run and by mean CPU time (user + sys), which other load on the machine disturbs less than the mean wall time."
    echo
    table
} >"$BENCH_SECTION"

echo
table
