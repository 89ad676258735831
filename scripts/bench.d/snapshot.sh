# Benchmark `snapshot`: unidesk.snapshot take and restore of a ~1 GiB volume (tens of
# thousands of small files, a few large ones, symlinks and hardlinks) against GNU tar on the
# same data: `tar -cf` for take, `tar -xf` for restore, and chains of shell commands doing
# the same work as unidesk (checksum, fsync, swap, removal of the old data). Target: at
# least 0.95 of tar's throughput, checksums included. The data set is generated once per
# run under BENCH_SNAPSHOT_DIR and removed at the end. Run through scripts/bench, which sets
# ROOT, UNIDESK_BIN and BENCH_SECTION.
#   BENCH_SNAPSHOT_DIR          where the scratch data goes (default /var/tmp): it measures
#                               that filesystem; needs ~10 GiB free there
#   BENCH_SNAPSHOT_SMALL_FILES  small files, 1-16 KiB each (default 40000)
#   BENCH_SNAPSHOT_DIRS         directories they are spread over (default 320)
#   BENCH_SNAPSHOT_LARGE_MIB    sizes of the large files in MiB (default 256,192,128,96,28)
#   BENCH_SNAPSHOT_RUNS         timed runs per command, warm cache (default 6)
#   BENCH_SNAPSHOT_ROUNDS       hyperfine invocations those runs are split over (default 3)
#   BENCH_SNAPSHOT_WARMUP       warm-up runs per command (default 1)
#   BENCH_SNAPSHOT_COLD_RUNS    runs per command with the page cache dropped first (default
#                               3; 0 skips them; needs root for /proc/sys/vm/drop_caches)
# needs: python3:python3 strace:strace openssl:openssl sha256sum:coreutils top:procps findmnt:util-linux
set -euo pipefail
source "$ROOT/scripts/bench.d/lib.sh"

BASE="${BENCH_SNAPSHOT_DIR:-/var/tmp}"
SMALL="${BENCH_SNAPSHOT_SMALL_FILES:-40000}"
DIRS="${BENCH_SNAPSHOT_DIRS:-320}"
LARGE="${BENCH_SNAPSHOT_LARGE_MIB:-256,192,128,96,28}"
RUNS="${BENCH_SNAPSHOT_RUNS:-6}"
ROUNDS="${BENCH_SNAPSHOT_ROUNDS:-3}"
WARMUP="${BENCH_SNAPSHOT_WARMUP:-1}"
COLD_RUNS="${BENCH_SNAPSHOT_COLD_RUNS:-3}"
APP=bench

# Processes other than this benchmark using >= 5 % of a CPU over one second, by top.
other_processes() {
    local list
    list="$(top -b -n 2 -d 1 -w 512 | awk '
        /^top -/ { frame++ }
        frame == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 >= 5 && $12 != "top" { printf "%s%s %.0f %%", sep, $12, $9; sep = ", " }')"
    echo "${list:-none}"
}

if ((COLD_RUNS > 0)) && ! [[ -w /proc/sys/vm/drop_caches ]]; then
    echo "scripts/bench snapshot: /proc/sys/vm/drop_caches is not writable (not root?); set BENCH_SNAPSHOT_COLD_RUNS=0 to skip the cold-cache runs" >&2
    exit 2
fi
mkdir -p "$BASE"
free_kib="$(df -Pk "$BASE" | awk 'NR == 2 { print $4 }')"
if ((free_kib < 10 * 1024 * 1024)); then
    echo "scripts/bench snapshot: $BASE has $((free_kib / 1024)) MiB free, the benchmark needs ~10 GiB (set BENCH_SNAPSHOT_DIR)" >&2
    exit 2
fi

# pressure WINDOW: "CPU some X %, I/O some Y %" from /proc/pressure (PSI), over avg10/60/300
pressure() {
    local cpu io
    cpu="$(sed -n "s/^some .*$1=\([0-9.]*\).*/\1/p" /proc/pressure/cpu 2>/dev/null)"
    io="$(sed -n "s/^some .*$1=\([0-9.]*\).*/\1/p" /proc/pressure/io 2>/dev/null)"
    echo "CPU ${cpu:-?} %, I/O ${io:-?} %"
}
BENCH_LOAD_START="$(load_average)"
OTHERS_START="$(other_processes)"
PRESSURE_START="$(pressure avg300)"
work="$(mktemp -d "$BASE/unidesk-bench-snapshot.XXXXXX")"
cleanup() {
    echo "==> removing $work (slow where deleting waits for discards)" >&2
    rm -rf "$work"
}
trap cleanup EXIT
data="$work/data"          # the volume: taken, and restored into
state="$work/state"        # unidesk --state-dir; snapshots under $state/snapshots/$APP
ref="$work/ref"            # tar's archive (out.tar) and extraction (fresh/)
chain="$work/chain"        # the like-for-like restore chain: cur/, stage/, old/
mkdir -p "$state" "$ref" "$chain"
ud="$(printf '%q' "$UNIDESK_BIN")"
run_flags="--state-dir $state --allow 'snapshot.*' --no-color"
GNU_OPTS="--format=gnu --numeric-owner --sparse --xattrs --one-file-system"   # what unidesk passes tar

# ---- the data set ---------------------------------------------------------------------------
# SMALL files of 1-16 KiB (sizes from a fixed seed; contents are slices of a random blob, so
# incompressible), round-robin over DIRS directories in 16 groups; large files of random
# bytes; 20 relative symlinks to small files, a dangling one and one to a directory; 20
# hardlinks to small files and one to the largest file.
echo "==> generating the data set in $data" >&2
python3 - "$data" "$SMALL" "$DIRS" "$LARGE" <<'PY'
import os, random, sys
root, small_n, dirs_n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
large_mib = [int(x) for x in sys.argv[4].split(",") if x]
rng = random.Random(20261122)
blob = os.urandom(32 << 20)
os.makedirs(root)
dirs = []
for d in range(dirs_n):
    p = os.path.join(root, "d%02d" % (d % 16), "sub%03d" % d)
    os.makedirs(p, exist_ok=True)
    dirs.append(p)
small = []
for i in range(small_n):
    size = rng.randint(1024, 16384)
    off = rng.randrange(0, len(blob) - size)
    p = os.path.join(dirs[i % dirs_n], "f%05d.bin" % i)
    with open(p, "wb") as f:
        f.write(blob[off:off + size])
    small.append(p)
os.makedirs(os.path.join(root, "large"))
for j, mib in enumerate(large_mib):
    with open(os.path.join(root, "large", "blob%d.bin" % j), "wb") as f:
        left = mib << 20
        while left:
            n = min(16 << 20, left)
            f.write(os.urandom(n))
            left -= n
links = os.path.join(root, "links")
os.makedirs(links)
for k in range(20):
    t = small[rng.randrange(len(small))]
    os.symlink(os.path.relpath(t, links), os.path.join(links, "sym%02d" % k))
os.symlink("does-not-exist", os.path.join(links, "dangling"))
os.symlink("../large", os.path.join(links, "large-dir"))
for k in range(20):
    os.link(small[rng.randrange(len(small))], os.path.join(links, "hard%02d" % k))
if large_mib:
    os.link(os.path.join(root, "large", "blob0.bin"), os.path.join(links, "hard-large"))
PY
sync

# listing DIR: every entry's path, type, mode, owner, size, symlink target, link count and
# mtime (whole seconds: GNU tar keeps those), sorted.
listing() {
    (cd "$1" && find . -printf '%p|%y|%m|%U:%G|%s|%l|%n|%T@\n' | awk -F'|' -v OFS='|' '{ sub(/\.[0-9]*$/, "", $8); print }' | LC_ALL=C sort)
}
# contents DIR: the SHA-256 of every regular file, by path.
contents() {
    (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 openssl dgst -sha256 -r)
}
listing "$data" >"$work/listing.orig"
contents "$data" >"$work/contents.orig"
n_entries="$(wc -l <"$work/listing.orig")"
n_names="$(awk -F'|' '$2 == "f"' "$work/listing.orig" | wc -l)"
n_dirs="$(awk -F'|' '$2 == "d"' "$work/listing.orig" | wc -l)"
n_symlinks="$(awk -F'|' '$2 == "l"' "$work/listing.orig" | wc -l)"
read -r n_files data_bytes < <(find "$data" -type f -printf '%i %s\n' | sort -u | awk '{ n++; s += $2 } END { print n, s }')
n_hardlinks=$((n_names - n_files))
n_large="$(awk -F, '{ print NF }' <<<"$LARGE")"
large_bytes="$(awk -F, '{ s = 0; for (i = 1; i <= NF; i++) s += $i; print s * 1048576 }' <<<"$LARGE")"
small_bytes=$((data_bytes - large_bytes))
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "data set: $n_files files ($SMALL small, $n_large large), $n_hardlinks more hardlinked names, $n_symlinks symlinks, $n_dirs directories; $data_bytes bytes of file data" >&2

cat >"$work/take.lua" <<LUA
local snapshot = require "unidesk.snapshot"
snapshot.take{ app = "$APP", volumes = { "$data" } }
LUA
cat >"$work/restore.lua" <<LUA
local snapshot = require "unidesk.snapshot"
snapshot.restore{ app = "$APP" }
LUA
take_cmd="$ud run $work/take.lua $run_flags"
restore_cmd="$ud run $work/restore.lua $run_flags"
snapshot_tar() { ls "$state/snapshots/$APP/last-good/"*.tar; }
manifest_field() { jq -r ".volumes[0].$1" "$state/snapshots/$APP/last-good/manifest.json"; }

# ---- correct before timed ---------------------------------------------------------------------
fail() { echo "scripts/bench snapshot: $*" >&2; exit 1; }
if ! eval "$take_cmd" >"$work/take.out" 2>"$work/take.err"; then cat "$work/take.err" >&2; fail "snapshot.take failed"; fi
T="$(snapshot_tar)"
tar_bytes="$(stat -c %s "$T")"
tar_sha="sha256:$(openssl dgst -sha256 -r "$T" | cut -d' ' -f1)"
[[ "$(manifest_field sha256)" == "$tar_sha" ]] || fail "the manifest's sha256 $(manifest_field sha256) is not the archive's $tar_sha"
[[ "$(manifest_field bytes)" == "$tar_bytes" ]] || fail "the manifest says $(manifest_field bytes) bytes, the archive has $tar_bytes"
[[ "$(manifest_field files)" == "$n_files" || "$(manifest_field files)" == "$n_names" ]] || fail "the manifest counts $(manifest_field files) files, the data has $n_files ($n_names names)"
# The reference archive with the same options: byte for byte the same stream?
tar --create --file="$ref/out.tar" $GNU_OPTS --directory "$data" .
ref_sha="sha256:$(openssl dgst -sha256 -r "$ref/out.tar" | cut -d' ' -f1)"
if [[ "$ref_sha" == "$tar_sha" ]]; then same_stream="byte for byte the same archive as unidesk's (same SHA-256)"; else same_stream="not byte for byte unidesk's archive ($ref_sha vs $tar_sha)"; fi
if ! eval "$restore_cmd" >"$work/restore.out" 2>"$work/restore.err"; then cat "$work/restore.err" >&2; fail "snapshot.restore failed"; fi
listing "$data" >"$work/listing.restored"
contents "$data" >"$work/contents.restored"
diff -q "$work/listing.orig" "$work/listing.restored" >/dev/null || { diff "$work/listing.orig" "$work/listing.restored" | head -20 >&2; fail "the restored tree differs from the original (listing)"; }
diff -q "$work/contents.orig" "$work/contents.restored" >/dev/null || { diff "$work/contents.orig" "$work/contents.restored" | head -20 >&2; fail "the restored tree differs from the original (file contents)"; }
leftover="$(find "$work" -maxdepth 1 -name '.unidesk-restore-*' | head -1)"
[[ -z "$leftover" ]] || fail "restore left $leftover behind"
echo "checked: take + restore gives back the same $n_entries entries (types, modes, owners, sizes, link targets, link counts, mtimes) and file contents; the archive matches its manifest" >&2

# ---- helpers for the timed commands ---------------------------------------------------------
# prep.sh WHAT [cold]: hyperfine --prepare. Every timed run starts with no dirty pages
# (sync), so writeback left by the previous run is not charged to the next one; with
# `cold`, also with an empty page cache.
cat >"$work/prep.sh" <<SH
set -euo pipefail
case "\$1" in
take) rm -rf "$state/snapshots/$APP" ;;
tarout) rm -f "$ref/out.tar" ;;
restore) ;;
fresh) rm -rf "$ref/fresh"; mkdir "$ref/fresh" ;;
chain) rm -rf "$chain/stage" "$chain/old"; [[ -d "$chain/cur" ]] ;;
*) echo "prep.sh: unknown \$1" >&2; exit 2 ;;
esac
sync
if [[ "\${2:-}" == cold ]]; then echo 3 >/proc/sys/vm/drop_caches; fi
SH
# take-chain.sh: a shell doing what unidesk's take does, one step after the other: the
# archive, its checksum, fsync.
cat >"$work/take-chain.sh" <<SH
set -euo pipefail
tar --create --file="$ref/out.tar" $GNU_OPTS --directory "$data" .
sha256sum "$ref/out.tar" >/dev/null
sync "$ref/out.tar"
SH
# take-sync.sh: tar's archive made durable (coreutils' `sync FILE` fsyncs FILE).
cat >"$work/take-sync.sh" <<SH
set -euo pipefail
tar --create --file="$ref/out.tar" $GNU_OPTS --directory "$data" .
sync "$ref/out.tar"
SH
# restore-chain.sh TAR SUMFILE: a shell gate doing what unidesk's restore does: check the
# checksum, extract into a staging directory beside the target, swap it in (two renames),
# remove the old data.
cat >"$work/restore-chain.sh" <<SH
set -euo pipefail
cd "$chain"
sha256sum --check --quiet "\$2"
mkdir stage
tar -xf "\$1" -C stage
mv cur old
mv stage cur
rm -rf old
SH

# ---- take, warm cache -----------------------------------------------------------------------
echo "==> take: $RUNS runs per command in $ROUNDS rounds, warm cache" >&2
BENCH_ROUNDS="$ROUNDS" hyperfine_rounds "$work/take.json" "$RUNS" "$WARMUP" \
    --prepare "bash $work/prep.sh take" --prepare "bash $work/prep.sh tarout" --prepare "bash $work/prep.sh tarout" \
    --prepare "bash $work/prep.sh tarout" --prepare "bash $work/prep.sh tarout" --prepare "bash $work/prep.sh tarout" \
    -n "unidesk snapshot.take" "$take_cmd" \
    -n "tar, unidesk's options" "tar --create --file=$ref/out.tar $GNU_OPTS --directory $data ." \
    -n "tar -cf" "tar -cf $ref/out.tar -C $data ." \
    -n "tar | cat > file" "bash -c 'tar --create --file=- $GNU_OPTS --directory $data . | cat >$ref/out.tar'" \
    -n "tar; sync" "bash $work/take-sync.sh" \
    -n "tar; sha256sum; sync" "bash $work/take-chain.sh"

# The snapshot the restores use: the last timed take's.
T="$(snapshot_tar)"
tar_sha="$(manifest_field sha256)"
[[ "sha256:$(openssl dgst -sha256 -r "$T" | cut -d' ' -f1)" == "$tar_sha" ]] || fail "the last timed take's archive does not match its manifest"
echo "${tar_sha#sha256:}  $T" >"$work/snapshot.sha256"
mkdir "$chain/cur"
tar -xf "$T" -C "$chain/cur"

# ---- restore, warm cache --------------------------------------------------------------------
echo "==> restore: $RUNS runs per command in $ROUNDS rounds, warm cache" >&2
BENCH_ROUNDS="$ROUNDS" hyperfine_rounds "$work/restore.json" "$RUNS" "$WARMUP" \
    --prepare "bash $work/prep.sh restore" --prepare "bash $work/prep.sh fresh" --prepare "bash $work/prep.sh chain" \
    -n "unidesk snapshot.restore" "$restore_cmd" \
    -n "tar -xf" "tar -xf $T -C $ref/fresh" \
    -n "sha256sum -c; tar -xf; swap; rm -rf old" "bash $work/restore-chain.sh $T $work/snapshot.sha256"
# The hashers alone, over the archive (warm): what a checksum costs each way.
BENCH_ROUNDS=1 hyperfine_rounds "$work/hash.json" 3 1 \
    -n "sha256sum" "sha256sum $T" \
    -n "openssl dgst -sha256" "openssl dgst -sha256 $T"

# ---- where unidesk's time goes: one run of each under strace ----------------------------------
# Only process starts, fsync, renames and exits are traced (seccomp-bpf: the reads and
# writes run untraced), so the run's time is nearly unchanged.
phases() { # KIND STRACE-OUTPUT -> "name seconds" lines
    python3 - "$1" "$2" <<'PY'
import re, sys
kind, path = sys.argv[1], sys.argv[2]
line_re = re.compile(r'^(\d+) +(\d+\.\d+) (.*)$')
pending, events, exits, main = {}, [], {}, None
for raw in open(path):
    m = line_re.match(raw.rstrip("\n"))
    if not m:
        continue
    pid, ts, rest = int(m.group(1)), float(m.group(2)), m.group(3)
    if main is None:
        main, t0 = pid, ts
    if rest.startswith("+++ exited"):
        exits[pid] = ts
        continue
    if rest.endswith("<unfinished ...>"):
        pending[pid] = (ts, rest.split("(", 1)[0])
        continue
    r = re.match(r'<\.\.\. (\w+) resumed>', rest)
    if r:
        start, name = pending.pop(pid, (ts, r.group(1)))
    else:
        start, name = ts, rest.split("(", 1)[0]
    d = re.search(r'<(\d+\.\d+)>$', rest)
    events.append((pid, start, name, float(d.group(1)) if d else 0.0, rest))
tar_pid = next(p for p, _, n, _, r in events if n == "execve" and "tar" in r and p != main)
tar_start = min(s for p, s, n, _, _ in events if p == tar_pid and n == "execve")
tar_end = exits[tar_pid]
end = exits[main]
after = [e for e in events if e[0] == main and e[1] >= tar_end]
if kind == "take":
    f = next(e for e in after if e[2] == "fsync")
    print("startup", tar_start - t0)
    print("stream", tar_end - tar_start)
    print("between", f[1] - tar_end)
    print("fsync", f[3])
    print("finish", end - (f[1] + f[3]))
else:
    sw = next(e for e in after if e[2] == "renameat2")
    fs = next((e for e in after if e[2] == "fsync" and e[1] >= sw[1]), sw)
    swapped = fs[1] + fs[3]
    print("startup", tar_start - t0)
    print("stream", tar_end - tar_start)
    print("swap", swapped - tar_end)
    print("remove", end - swapped)
print("total", end - t0)
PY
}
trace() { # KIND COMMAND...
    bash "$work/prep.sh" "$1" >/dev/null
    shift
    strace -f --seccomp-bpf -ttt -T -e trace=execve,fsync,rename,renameat2 -o "$work/strace.out" "$@" >/dev/null 2>&1
}
echo "==> one take and one restore under strace, for the phases" >&2
trace take "$UNIDESK_BIN" run "$work/take.lua" --state-dir "$state" --allow 'snapshot.*' --no-color
declare -A P
while read -r k v; do P["take_$k"]="$v"; done < <(phases take "$work/strace.out")
trace restore "$UNIDESK_BIN" run "$work/restore.lua" --state-dir "$state" --allow 'snapshot.*' --no-color
while read -r k v; do P["restore_$k"]="$v"; done < <(phases restore "$work/strace.out")

# ---- cold cache -----------------------------------------------------------------------------
if ((COLD_RUNS > 0)); then
    echo "==> take and restore: $COLD_RUNS runs per command, page cache dropped before each" >&2
    BENCH_ROUNDS=1 hyperfine_rounds "$work/cold-take.json" "$COLD_RUNS" 0 \
        --prepare "bash $work/prep.sh take cold" --prepare "bash $work/prep.sh tarout cold" \
        -n "unidesk snapshot.take" "$take_cmd" \
        -n "tar, unidesk's options" "tar --create --file=$ref/out.tar $GNU_OPTS --directory $data ."
    T="$(snapshot_tar)"
    BENCH_ROUNDS=1 hyperfine_rounds "$work/cold-restore.json" "$COLD_RUNS" 0 \
        --prepare "bash $work/prep.sh restore cold" --prepare "bash $work/prep.sh fresh cold" \
        -n "unidesk snapshot.restore" "$restore_cmd" \
        -n "tar -xf" "tar -xf $T -C $ref/fresh"
fi

# ---- correct after timed too ------------------------------------------------------------------
listing "$data" >"$work/listing.after"
contents "$data" >"$work/contents.after"
cmp -s "$work/listing.orig" "$work/listing.after" && cmp -s "$work/contents.orig" "$work/contents.after" \
    || fail "after the timed restores the data differs from the original"
listing "$chain/cur" | cmp -s "$work/listing.orig" - || fail "the shell restore chain's tree differs from the original"
echo "checked: after timing, the restored volume and the shell chain's tree are still identical to the original" >&2
OTHERS_END="$(other_processes)"
PRESSURE_END="$(pressure avg300)"

# ---- the section ----------------------------------------------------------------------------
st() { hyperfine_stat "$1" "$2" "$3"; }
ms() { awk -v s="$1" 'BEGIN { if (s >= 1) printf "%.2f s", s; else printf "%.0f ms", s * 1000 }'; }
rate() { awk -v b="$data_bytes" -v s="$1" 'BEGIN { printf "%.0f MiB/s", b / s / 1048576 }'; }
# ratio JSON REF UNIDESK -> "r sd rmin": ref time / unidesk time (mean, its sd; fastest runs)
ratio() {
    awk -v a="$(st "$1" "$2" mean)" -v sa="$(st "$1" "$2" stddev)" -v b="$(st "$1" "$3" mean)" -v sb="$(st "$1" "$3" stddev)" \
        -v am="$(st "$1" "$2" min)" -v bm="$(st "$1" "$3" min)" \
        'BEGIN { r = a / b; printf "%.2f %.2f %.2f\n", r, r * sqrt((sa / a) ^ 2 + (sb / b) ^ 2), am / bm }'
}
# verdict R SD: against the 0.95 target, "meets"/"misses" only when R ± SD is all on one side
verdict() { awk -v r="$1" -v s="$2" 'BEGIN { print (r - s >= 0.95 ? "meets" : (r + s < 0.95 ? "misses" : "is, within the noise of this run, neither clearly above nor below")) }'; }
# row JSON INDEX NAME WHAT [UNIDESK-INDEX]
row() {
    local j="$1" i="$2" cell=""
    if [[ -n "${5:-}" ]]; then
        local r sd rmin
        read -r r sd rmin <<<"$(ratio "$j" "$i" "$5")"
        cell="**$r** ± $sd (fastest runs: $rmin)"
    fi
    echo "| $3 | $4 | $(fmt_time "$(st "$j" "$i" mean)" "$(st "$j" "$i" stddev)") | $(ms "$(st "$j" "$i" min)") | $(ms "$(cpu_time "$j" "$i")") | $(rate "$(st "$j" "$i" mean)") | $cell |"
}
read -r take_gnu take_gnu_sd take_gnu_min <<<"$(ratio "$work/take.json" 1 0)"
read -r take_plain take_plain_sd take_plain_min <<<"$(ratio "$work/take.json" 2 0)"
read -r take_sync _ take_sync_min <<<"$(ratio "$work/take.json" 4 0)"
read -r take_like _ take_like_min <<<"$(ratio "$work/take.json" 5 0)"
read -r rest_plain rest_plain_sd rest_plain_min <<<"$(ratio "$work/restore.json" 1 0)"
read -r rest_like _ rest_like_min <<<"$(ratio "$work/restore.json" 2 0)"
p() { awk -v s="${P[$1]}" 'BEGIN { printf "%.2f s", s }'; }
pct() { awk -v a="${P[$1]}" -v b="${P[$2]}" 'BEGIN { printf "%.0f %%", a / b * 100 }'; }
mount_info="$(findmnt -no SOURCE,FSTYPE,OPTIONS -T "$work" | awk '{ printf "%s (%s, %s)", $1, $2, $3 }')"
discard=no
findmnt -no OPTIONS -T "$work" | tr ',' '\n' | grep -qx discard && discard=yes
tar_m="$(st "$work/take.json" 1 min)"
xf_m="$(st "$work/restore.json" 1 min)"
pipe_m="$(st "$work/take.json" 3 min)"
sync_m="$(st "$work/take.json" 4 min)"
sha_m="$(st "$work/hash.json" 0 mean)"
ossl_m="$(st "$work/hash.json" 1 mean)"
runs_done="$(runs_of "$work/take.json")"
{
    echo "## Snapshots: take and restore of a $(awk -v b="$data_bytes" 'BEGIN { printf "%.2f", b / 2^30 }') GiB volume, unidesk.snapshot vs GNU tar"
    echo
    echo "_Written by \`scripts/bench snapshot\`; do not edit between the markers._"
    echo
    machine_markdown
    busy_warning
    echo "- Other processes using ≥ 5 % of a CPU (\`top\` over 1 s): at the start: $OTHERS_START; at the end: $OTHERS_END"
    echo "- Pressure stall (\`/proc/pressure\`, share of the last 300 s in which some task waited for the CPU or for I/O): at the start $PRESSURE_START; at the end $PRESSURE_END"
    echo "- Versions: $("$UNIDESK_BIN" version) built from $(source_revision); $(tar --version | head -1); $(sha256sum --version | head -1); $(openssl version | cut -d' ' -f1-2); hyperfine $(hyperfine --version | cut -d' ' -f2)"
    echo "- Filesystem: data, snapshots and extractions all on $mount_info; $(free -g | awk '/^Mem:/ { print $2 }') GiB of RAM, so the data set and its archives fit in the page cache."
    echo "- Reproduce: \`scripts/bench snapshot\` (defaults \`BENCH_SNAPSHOT_RUNS=6 BENCH_SNAPSHOT_ROUNDS=3 BENCH_SNAPSHOT_WARMUP=1 BENCH_SNAPSHOT_COLD_RUNS=3 BENCH_SNAPSHOT_DIR=/var/tmp\`, this run \`BENCH_SNAPSHOT_RUNS=$RUNS BENCH_SNAPSHOT_ROUNDS=$ROUNDS BENCH_SNAPSHOT_WARMUP=$WARMUP BENCH_SNAPSHOT_COLD_RUNS=$COLD_RUNS BENCH_SNAPSHOT_DIR=$BASE\`)"
    echo "- Data set (generated for the run, removed at the end): **$n_files files, $data_bytes bytes ($(mib "$data_bytes")) of file data**: $SMALL small files of 1–16 KiB (sizes from a fixed seed, $(mib "$small_bytes")) spread over $DIRS directories, $n_large large files of $(sed 's/,/, /g' <<<"$LARGE") MiB, $n_hardlinks more hardlinked names (20 to small files, one to the largest), $n_symlinks symlinks (one dangling, one to a directory); $n_entries entries in all, $n_dirs of them directories. Contents are random bytes (incompressible). The archive is $tar_bytes bytes ($(mib "$tar_bytes")); throughput below is file data bytes / mean wall time."
    echo "- Checked before timing: a take then a restore gives back the same tree (type, mode, owner, size, link target, link count and mtime of every entry; SHA-256 of every file), the archive matches the manifest's size and SHA-256, and tar run with unidesk's options on the same data writes $same_stream. Checked after timing: the restored volume, and the tree the shell restore chain left, still match the original."
    echo
    echo "Ratios are **tar's time ÷ unidesk's time** (so, for a throughput, unidesk's ÷ tar's): 1 is the same speed, above 1 unidesk is faster; the target is ≥ 0.95 against plain tar. Warm cache: $runs_done runs of each after $WARMUP warm-up run, in $ROUNDS consecutive \`hyperfine -N\` rounds that each time every command of the table, one after the other. Before each run (\`--prepare\`, not timed) the previous output is removed and \`sync\` flushes all dirty pages, so no run pays for the writeback of another; writeback of what a command writes itself is in its time only where it syncs (unidesk's take fsyncs its archive; its restore fsyncs the directories it swaps, not the files)."
    echo
    echo "### Take"
    echo
    echo '```sh'
    echo "unidesk run take.lua --state-dir STATE --allow 'snapshot.*' --no-color   # snapshot.take{ app = \"$APP\", volumes = { \"/abs/data\" } }"
    echo "tar --create --file=out.tar $GNU_OPTS --directory data ."
    echo "tar -cf out.tar -C data ."
    echo '```'
    echo
    echo "| command | what it does | wall (mean ± sd) | fastest | CPU (user + sys) | throughput | tar ÷ unidesk |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    row "$work/take.json" 0 "unidesk \`snapshot.take\`" "walks the tree to estimate the size, runs tar with the options on the next line into a pipe; hashes (SHA-256) and header-checks the stream and writes it to the snapshot file; fsyncs it; writes the manifest; renames into place"
    row "$work/take.json" 1 "\`tar --create\` with unidesk's options" "the same archive, written by tar straight to the file; no checksum, no fsync" 0
    row "$work/take.json" 2 "\`tar -cf\`" "tar's defaults (no \`--sparse\` hole detection, no xattrs)" 0
    row "$work/take.json" 3 "\`tar --create --file=- … \\| cat > file\`" "the archive through a pipe, as unidesk gets it; no checksum, no fsync" 0
    row "$work/take.json" 4 "\`tar --create …; sync file\`" "tar's archive made durable as unidesk's is (\`sync FILE\` is an fsync); no checksum" 0
    row "$work/take.json" 5 "\`tar --create …; sha256sum; sync file\`" "a shell doing unidesk's work in sequence: archive, checksum, fsync" 0
    echo
    echo "### Restore"
    echo
    echo '```sh'
    echo "unidesk run restore.lua --state-dir STATE --allow 'snapshot.*' --no-color   # snapshot.restore{ app = \"$APP\" }"
    echo "tar -xf SNAPSHOT.tar -C empty-dir"
    echo "sha256sum --check --quiet SUMS && mkdir stage && tar -xf SNAPSHOT.tar -C stage && mv cur old && mv stage cur && rm -rf old"
    echo '```'
    echo
    echo "| command | what it does | wall (mean ± sd) | fastest | CPU (user + sys) | throughput | tar ÷ unidesk |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    row "$work/restore.json" 0 "unidesk \`snapshot.restore\`" "streams the snapshot file through SHA-256 and the header check (unsafe names, links out of the volume) into \`tar --extract\` in a staging directory beside the volume; checks the checksum; fsyncs the staging directory, swaps it with the volume (\`renameat2(RENAME_EXCHANGE)\`), **removes the old data**"
    row "$work/restore.json" 1 "\`tar -xf\` into an empty directory" "extraction only: no checksum, no swap, nothing to remove (the previous extraction is removed in \`--prepare\`, untimed)" 0
    row "$work/restore.json" 2 "\`sha256sum -c\`; \`tar -xf\` into a staging dir; swap (2 \`mv\`); \`rm -rf old\`" "a shell gate doing the same work as unidesk, in sequence (checks the whole file before extracting)" 0
    echo
    echo "The hashers alone over the $(mib "$tar_bytes") archive, warm: \`sha256sum\` $(fmt_time "$sha_m" "$(st "$work/hash.json" 0 stddev)") ($(awk -v b="$tar_bytes" -v s="$sha_m" 'BEGIN { printf "%.0f MiB/s", b / s / 1048576 }')), \`openssl dgst -sha256\` $(fmt_time "$ossl_m" "$(st "$work/hash.json" 1 stddev)") ($(awk -v b="$tar_bytes" -v s="$ossl_m" 'BEGIN { printf "%.0f MiB/s", b / s / 1048576 }')); unidesk hashes with OpenSSL's EVP SHA-256 (SHA-NI on this CPU: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)); coreutils' \`sha256sum\` does not use it."
    echo
    if ((COLD_RUNS > 0)); then
        echo "### Cold cache"
        echo
        echo "The same commands with the page cache dropped before each run (\`sync; echo 3 > /proc/sys/vm/drop_caches\` in \`--prepare\`): the take reads the data set from the disk, the restore the archive; unidesk's binary and libraries are read again too. $(runs_of "$work/cold-take.json") runs of each, one \`hyperfine -N\` invocation per table, no warm-up."
        echo
        echo "| command | wall (mean ± sd) | fastest | CPU (user + sys) | throughput | tar ÷ unidesk |"
        echo "| --- | --- | --- | --- | --- | --- |"
        cold_row() { # JSON INDEX NAME [UNIDESK-INDEX]
            local cell=""
            if [[ -n "${4:-}" ]]; then
                local r sd rmin
                read -r r sd rmin <<<"$(ratio "$1" "$2" "$4")"
                cell="**$r** ± $sd (fastest runs: $rmin)"
            fi
            echo "| $3 | $(fmt_time "$(st "$1" "$2" mean)" "$(st "$1" "$2" stddev)") | $(ms "$(st "$1" "$2" min)") | $(ms "$(cpu_time "$1" "$2")") | $(rate "$(st "$1" "$2" mean)") | $cell |"
        }
        cold_row "$work/cold-take.json" 0 "unidesk \`snapshot.take\`, cold"
        cold_row "$work/cold-take.json" 1 "\`tar --create\` with unidesk's options, cold" 0
        cold_row "$work/cold-restore.json" 0 "unidesk \`snapshot.restore\`, cold"
        cold_row "$work/cold-restore.json" 1 "\`tar -xf\` into an empty directory, cold" 0
        echo
    fi
    echo "### Where unidesk's time goes"
    echo
    echo "One more take and one more restore, warm, under \`strace -f --seccomp-bpf -e trace=execve,fsync,rename,renameat2\` (the reads and writes are not traced, so the run's speed is about unchanged), the phases cut at tar's start and exit, the fsyncs and the swap:"
    echo
    echo "| phase | take | | phase | restore |"
    echo "| --- | --- | --- | --- | --- |"
    echo "| start-up, lock, size estimate (a walk of the tree: $n_entries \`lstat\`s) | $(p take_startup) | | start-up, lock, manifest, free-space check | $(p restore_startup) |"
    echo "| tar → pipe → unidesk (hash, header check) → snapshot file | $(p take_stream) | | snapshot file → unidesk (hash, header check) → pipe → \`tar -x\` into staging | $(p restore_stream) |"
    echo "| fsync of the archive | $(p take_fsync) | | fsync of the staging directory, swap, fsync of the parent | $(p restore_swap) |"
    echo "| manifest (written, fsynced), renames, exit | $(awk -v a="${P[take_between]}" -v b="${P[take_finish]}" 'BEGIN { printf "%.2f s", a + b }') | | removal of the old data | $(p restore_remove) |"
    echo "| **total** | $(p take_total) | | **total** | $(p restore_total) |"
    echo
    echo "### Reading the figures"
    echo
    echo "**Take** reaches **$take_gnu** ± $take_gnu_sd (fastest runs $take_gnu_min) of the throughput of tar writing the same archive with the same options and **$take_plain** ($take_plain_min) of plain \`tar -cf\`: it $(verdict "$take_plain" "$take_plain_sd") the 0.95 target. Against tar made durable the way unidesk's snapshot is (\`tar; sync FILE\`) it is at $take_sync ($take_sync_min), and against a shell doing all of its work in sequence (archive, \`sha256sum\`, fsync) at $take_like ($take_like_min). In the traced run, $(p take_startup) go by before tar starts (process start-up, and the walk of the tree that estimates the archive's size for the free-space check); the stream takes $(p take_stream), where tar writing its own file takes $(ms "$tar_m") and tar piped into \`cat > file\` $(ms "$pipe_m") (fastest runs), so the pipe as such costs $(awk -v a="$pipe_m" -v b="$tar_m" 'BEGIN { d = a - b; if (d < 0.05 * b) print "nothing measurable"; else printf "%.0f ms", d * 1000 }') and the rest of the stream's excess is unidesk's end of it: one thread reads the pipe, hashes (OpenSSL alone needs $(ms "$ossl_m") for the archive) and writes the file, one after the other; then the fsync of the archive takes $(p take_fsync), a cost plain \`tar -cf\` leaves to the kernel's writeback after it exits (the fastest \`tar; sync\` run is $(awk -v a="$sync_m" -v b="$tar_m" 'BEGIN { printf "%.0f ms", (a - b) * 1000 }') slower than the fastest of tar alone)."
    echo
    if [[ "$discard" == yes ]]; then
        discard_text="This filesystem is mounted with \`discard\`: ext4 then sends the virtual disk a discard for the extents of every deleted file and waits for it (\`blkdev_issue_discard\` under \`ext4_free_blocks\` in \`/proc/PID/stack\` of an \`rm -rf\`, seen while writing this benchmark), so deleting the $n_files files here is mostly waiting, for \`rm -rf\` and unidesk alike."
    else
        discard_text="This filesystem is not mounted with \`discard\`."
    fi
    echo "**Restore** reaches **$rest_plain** ± $rest_plain_sd (fastest runs $rest_plain_min) of plain \`tar -xf\` into an empty directory: it $(verdict "$rest_plain" "$rest_plain_sd") the 0.95 target; against the shell gate doing the same work (check, extract, swap, remove the old data) it is at **$rest_like** ($rest_like_min). Plain \`tar -xf\` is not like for like: unidesk also removes the volume's old data once the new data is swapped in, $(p restore_remove) of its $(p restore_total) in the traced run ($(pct restore_remove restore_total)). $discard_text Its extraction phase (hash and header checks included) took $(p restore_stream) in the traced run against $(ms "$xf_m") for the fastest \`tar -xf\`, and the checks, the fsync of the staging directory and the swap $(p restore_swap)."
} >"$BENCH_SECTION"
cat "$BENCH_SECTION"
