# Helpers shared by scripts/bench and the benchmarks in scripts/bench.d/ (sourced, not run).
# What to run stays here and in the benchmarks; reading its results (hyperfine JSON, strace,
# top) and rendering them is benchlib.py's, which has unit tests (test_benchlib.py).

# benchlib SUBCOMMAND ARGS...: scripts/bench.d/benchlib.py (`benchlib --help` lists them).
benchlib() { python3 "$ROOT/scripts/bench.d/benchlib.py" "$@"; }

# need_tool COMMAND APT-PACKAGE: exit 2 with the install line when COMMAND is missing.
need_tool() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "scripts/bench: '$1' is missing; install it with:" >&2
        echo "    apt-get install -y $2" >&2
        exit 2
    fi
}

# One markdown bullet list describing the machine and the time of the run.
machine_markdown() {
    local cpu
    cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1)"
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- Machine: $(nproc) CPUs, ${cpu:-unknown CPU}, Linux $(uname -r), load average at start ${BENCH_LOAD_START:-?}, at end $(load_average)"
}

load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# Processes other than this benchmark using >= 5 % of a CPU over one second, by top.
other_processes() { top -b -n 2 -d 1 -w 512 | benchlib others; }

# A markdown line when the 1-minute load average was above half the CPUs at the start, or
# above that plus 1 (the benchmark itself) at the end: something else was running, and wall
# times are inflated and noisy.
busy_warning() {
    local now
    now="$(load_average)"
    if benchlib busy "${BENCH_LOAD_START:-0}" "$now" "$(nproc)"; then
        echo "- **Busy machine:** other processes were running (1-minute load average above half the $(nproc) CPUs at the start, or above that plus the benchmark's own 1 at the end); wall times are inflated and noisy, the fastest-run and CPU-time columns less so. Rerun on an idle machine for reference numbers."
    fi
}

# The commit the binary was built from, marked dirty when the work tree has changes.
source_revision() {
    local rev
    rev="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
        rev="$rev (work tree has uncommitted changes)"
    fi
    echo "$rev"
}

# fmt_time SECONDS SD: "1.234 s ± 0.012 s" or "4.5 ms ± 0.3 ms", the unit chosen by the mean.
fmt_time() { benchlib fmt-time "$1" "$2"; }

# hyperfine_stat JSON INDEX FIELD: a number from hyperfine's --export-json output.
hyperfine_stat() { benchlib stat "$1" "$2" "$3"; }

# hyperfine_rounds OUT.json RUNS WARMUP HYPERFINE-ARGS...: RUNS runs per command, split over
# $BENCH_ROUNDS (default 5) hyperfine invocations of at least 2 runs each, one after the
# other. Each invocation times every command given, so all of them share conditions, and a
# slow drift in machine load (a build starting elsewhere) hits all commands alike instead of
# only the one hyperfine happened to be timing. WARMUP warm-up runs precede the first round.
# OUT.json has hyperfine's layout (results[i].command/mean/stddev/min/max/user/system/times)
# over all the rounds' runs.
hyperfine_rounds() {
    local out="$1" runs="$2" warmup="$3"
    shift 3
    local rounds="${BENCH_ROUNDS:-5}" per r files=()
    per=$(((runs + rounds - 1) / rounds))
    ((per >= 2)) || per=2
    for ((r = 1; r <= rounds; r++)); do
        hyperfine -N --style basic --warmup "$warmup" --runs "$per" \
            --export-json "$out.$r" "$@" >&2
        files+=("$out.$r")
        warmup=0
    done
    benchlib merge "$out" "${files[@]}"
    rm -f "${files[@]}"
}

# runs_of JSON: how many timed runs the first command of a hyperfine JSON had.
runs_of() { benchlib runs "$1"; }

# cpu_time JSON INDEX: mean user + system CPU seconds of one command in hyperfine's JSON.
cpu_time() { benchlib cpu "$1" "$2"; }

# splice_section DOC NAME FILE: puts FILE's contents between NAME's markers in DOC,
# replacing what was there; appends the marked block when DOC has no such markers yet.
splice_section() {
    local doc="$1" name="$2" body="$3"
    local start="<!-- bench:$name:start -->" end="<!-- bench:$name:end -->"
    mkdir -p "$(dirname "$doc")"
    if [[ ! -f "$doc" ]]; then
        cat >"$doc" <<'EOF'
# Benchmarks

Measured by `scripts/bench` (all benchmarks) or `scripts/bench NAME` (one). Each benchmark
owns the lines between its `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`
markers and rewrites only those; text outside the markers is written by hand and kept.
To add a benchmark, see scripts/bench.d/README.md.
EOF
    fi
    local tmp
    tmp="$(mktemp)"
    if grep -qF "$start" "$doc"; then
        if ! grep -qF "$end" "$doc"; then
            echo "scripts/bench: $doc has '$start' but no '$end'; fix it by hand" >&2
            exit 1
        fi
        awk -v start="$start" -v end="$end" -v body="$body" '
            $0 == start { print; while ((getline line < body) > 0) print line; skip = 1; next }
            $0 == end { skip = 0 }
            !skip { print }' "$doc" >"$tmp"
    else
        { cat "$doc"; echo; echo "$start"; cat "$body"; echo "$end"; } >"$tmp"
    fi
    cat "$tmp" >"$doc"
    rm -f "$tmp"
}

# Free page reporting (virtio-balloon, /sys/module/page_reporting): on a VM that has it, the
# guest hands every large free block back to the host soon after it is freed, and the next
# write into that memory faults in the host. A benchmark that writes and deletes GiBs then
# pays those faults at random: on this project's 2-CPU VMs the same `tar -cf` onto a tmpfs
# took 1.2–2.5 s with reporting on and 1.2–1.4 s with it held. hold_page_reporting raises the
# order a block must have to be reported above the largest there is, so nothing is reported
# until release_page_reporting puts the old order back; BENCH_PAGE_REPORTING=keep leaves it.
# PAGE_REPORTING_STATE says what was done, for the report.
PAGE_REPORTING_KNOB=/sys/module/page_reporting/parameters/page_reporting_order
PAGE_REPORTING_SAVED=""
PAGE_REPORTING_STATE="not on this kernel"
hold_page_reporting() {
    [[ -e "$PAGE_REPORTING_KNOB" ]] || return 0
    if [[ "${BENCH_PAGE_REPORTING:-hold}" == keep ]]; then
        PAGE_REPORTING_STATE="on (BENCH_PAGE_REPORTING=keep): freed memory went back to the host during the run, so writes paid host faults at random"
        return 0
    fi
    if [[ ! -w "$PAGE_REPORTING_KNOB" ]]; then
        PAGE_REPORTING_STATE="on (not root, so it could not be held): freed memory went back to the host during the run, so writes paid host faults at random"
        return 0
    fi
    local orders
    orders="$(awk '{ n = NF - 4; if (n > m) m = n } END { print m + 0 }' /proc/buddyinfo)"   # columns after "Node N, zone NAME"
    PAGE_REPORTING_SAVED="$(cat "$PAGE_REPORTING_KNOB")"
    echo "$orders" >"$PAGE_REPORTING_KNOB"
    PAGE_REPORTING_STATE="held for the run (\`page_reporting_order\` $PAGE_REPORTING_SAVED → $orders, above the largest free block), so memory freed during the run stayed with the VM instead of faulting back in from the host; put back at the end"
}
release_page_reporting() {
    if [[ -n "$PAGE_REPORTING_SAVED" ]]; then
        echo "$PAGE_REPORTING_SAVED" >"$PAGE_REPORTING_KNOB" || true
        PAGE_REPORTING_SAVED=""
    fi
}
