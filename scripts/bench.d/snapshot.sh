# Benchmark `snapshot`: unidesk.snapshot take and restore of a ~1 GiB volume (tens of
# thousands of small files, a few large ones, symlinks and hardlinks) against GNU tar on the
# same data: `tar -cf` for take; for restore `tar -xf` over a directory already holding the
# data (in place, as a shell restore into a live volume: tar unlinks each old file before
# writing the new one) and into an empty one; and chains of shell commands doing the same
# work as unidesk (checksum, fsync, swap, removal of the old data). Target: at least 0.95 of
# tar's throughput, checksums included. The data set is generated once per run under
# BENCH_SNAPSHOT_DIR (data, snapshots and extractions on that one filesystem) and removed at
# the end; the take and restore are timed again on a tmpfs, where the disk and the
# filesystem drop out. Run through scripts/bench, which sets ROOT, UNIDESK_BIN and
# BENCH_SECTION (run directly with those set, it writes only BENCH_SECTION).
#   BENCH_SNAPSHOT_DIR          where the scratch data goes (default /var/tmp): it measures
#                               that filesystem; needs ~20 GiB free there
#   BENCH_SNAPSHOT_TMPFS        a tmpfs for the second pass (default /dev/shm; `none` skips
#                               it); needs ~6 GiB free there and in MemAvailable
#   BENCH_SNAPSHOT_SMALL_FILES  small files, 1-16 KiB each (default 40000)
#   BENCH_SNAPSHOT_DIRS         directories they are spread over (default 320)
#   BENCH_SNAPSHOT_LARGE_MIB    sizes of the large files in MiB (default 256,192,128,96,28)
#   BENCH_SNAPSHOT_RUNS         timed runs per command, warm cache (default 6)
#   BENCH_SNAPSHOT_ROUNDS       hyperfine invocations those runs are split over (default 3)
#   BENCH_SNAPSHOT_WARMUP       warm-up runs per command (default 1)
#   BENCH_SNAPSHOT_COLD_RUNS    runs per command with the page cache dropped first (default
#                               3; 0 skips them; needs root for /proc/sys/vm/drop_caches)
#   BENCH_PAGE_REPORTING        `hold` (default): on a VM with free page reporting, hold it
#                               for the run (root; see hold_page_reporting in lib.sh);
#                               `keep` leaves it on
#   BENCH_SNAPSHOT_JOURNALED    `auto` (default): a third pass on a fresh ext4 with a journal
#                               (mkfs.ext4's defaults), a 16 GiB sparse image under
#                               BENCH_SNAPSHOT_DIR loop-mounted (needs root); `none` skips it
# needs: python3:python3 strace:strace openssl:openssl sha256sum:coreutils top:procps findmnt:util-linux
set -euo pipefail
source "$ROOT/scripts/bench.d/lib.sh"

BASE="${BENCH_SNAPSHOT_DIR:-/var/tmp}"
TMPFS="${BENCH_SNAPSHOT_TMPFS:-/dev/shm}"
SMALL="${BENCH_SNAPSHOT_SMALL_FILES:-40000}"
DIRS="${BENCH_SNAPSHOT_DIRS:-320}"
LARGE="${BENCH_SNAPSHOT_LARGE_MIB:-256,192,128,96,28}"
RUNS="${BENCH_SNAPSHOT_RUNS:-6}"
ROUNDS="${BENCH_SNAPSHOT_ROUNDS:-3}"
WARMUP="${BENCH_SNAPSHOT_WARMUP:-1}"
COLD_RUNS="${BENCH_SNAPSHOT_COLD_RUNS:-3}"
APP=bench
GNU_OPTS="--format=gnu --numeric-owner --sparse --xattrs --one-file-system"   # what unidesk passes tar
REC_OPTS="--blocking-factor=2048"   # and its 1 MiB records (it cuts the last one's padding to tar's default 10 KiB)
ud="$(printf '%q' "$UNIDESK_BIN")"
fail() { echo "scripts/bench snapshot: $*" >&2; exit 1; }

# pressure WINDOW: "CPU X %, I/O Y %", the `some` stall shares from /proc/pressure (PSI)
pressure() {
    local cpu io
    cpu="$(sed -n "s/^some .*$1=\([0-9.]*\).*/\1/p" /proc/pressure/cpu 2>/dev/null)"
    io="$(sed -n "s/^some .*$1=\([0-9.]*\).*/\1/p" /proc/pressure/io 2>/dev/null)"
    echo "CPU ${cpu:-?} %, I/O ${io:-?} %"
}
free_kib() { df -Pk "$1" | awk 'NR == 2 { print $4 }'; }

if ((COLD_RUNS > 0)) && ! [[ -w /proc/sys/vm/drop_caches ]]; then
    echo "scripts/bench snapshot: /proc/sys/vm/drop_caches is not writable (not root?); set BENCH_SNAPSHOT_COLD_RUNS=0 to skip the cold-cache runs" >&2
    exit 2
fi
mkdir -p "$BASE"
if (($(free_kib "$BASE") < 20 * 1024 * 1024)); then
    echo "scripts/bench snapshot: $BASE has $(($(free_kib "$BASE") / 1024)) MiB free, the benchmark needs ~20 GiB (set BENCH_SNAPSHOT_DIR)" >&2
    exit 2
fi
tmpfs_skip=""
if [[ "$TMPFS" == none ]]; then
    tmpfs_skip="skipped (BENCH_SNAPSHOT_TMPFS=none)"
elif [[ "$(stat -f -c %T "$TMPFS" 2>/dev/null)" != tmpfs ]]; then
    tmpfs_skip="skipped: $TMPFS is not a tmpfs"
elif (($(free_kib "$TMPFS") < 6 * 1024 * 1024)) || (($(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo) < 8 * 1024 * 1024)); then
    tmpfs_skip="skipped: less than 6 GiB free on $TMPFS or 8 GiB of available memory"
fi

journal_skip=""
if [[ "${BENCH_SNAPSHOT_JOURNALED:-auto}" == none ]]; then
    journal_skip="skipped (BENCH_SNAPSHOT_JOURNALED=none)"
elif ! command -v mkfs.ext4 >/dev/null || ! command -v losetup >/dev/null; then
    journal_skip="skipped: mkfs.ext4 (e2fsprogs) or losetup (util-linux) is not installed"
elif [[ "$(id -u)" != 0 ]]; then
    journal_skip="skipped: loop-mounting an image needs root"
fi

BENCH_LOAD_START="$(load_average)"
OTHERS_START="$(other_processes)"
PRESSURE_START="$(pressure avg300)"
work="$(mktemp -d "$BASE/unidesk-bench-snapshot.XXXXXX")"
tmpfs_work=""
journal_mnt="" journal_dev=""
# unmount_journaled: the journaled pass's filesystem and loop device, if set up
unmount_journaled() {
    if [[ -n "$journal_mnt" ]] && mountpoint -q "$journal_mnt"; then umount "$journal_mnt"; fi
    if [[ -n "$journal_dev" ]]; then losetup -d "$journal_dev" || true; fi
    journal_mnt="" journal_dev=""
    rm -f "$work/ext4.img"
}
cleanup() {
    [[ -z "$tmpfs_work" ]] || rm -rf "$tmpfs_work"
    unmount_journaled
    echo "==> removing $work (slow where deleting waits for discards)" >&2
    rm -rf "$work"
    release_page_reporting
}
trap cleanup EXIT
hold_page_reporting

# ---- the data set ---------------------------------------------------------------------------
# SMALL files of 1-16 KiB (sizes from a fixed seed; contents are slices of a random blob, so
# incompressible), round-robin over DIRS directories in 16 groups; large files of random
# bytes; 20 relative symlinks to small files, a dangling one and one to a directory; 20
# hardlinks to small files and one to the largest file.
echo "==> generating the data set in $work/data" >&2
python3 - "$work/data" "$SMALL" "$DIRS" "$LARGE" <<'PY'
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

# listing DIR: every entry's path, type, mode, owner, size (not of directories: that is the
# filesystem's), symlink target, link count and mtime (whole seconds: GNU tar keeps those),
# sorted.
# A script, so that prep.sh can check a tree too.
cat >"$work/listing.sh" <<'SH'
cd "$1" && find . -printf '%p|%y|%m|%U:%G|%s|%l|%n|%T@\n' | awk -F'|' -v OFS='|' '{ sub(/\.[0-9]*$/, "", $8); if ($2 == "d") $5 = "-"; print }' | LC_ALL=C sort
SH
listing() { bash "$work/listing.sh" "$1"; }
# contents DIR: the SHA-256 of every regular file, by path.
contents() {
    (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 openssl dgst -sha256 -r)
}
# same_tree DIR WHAT: fails unless DIR has the original's listing and contents.
same_tree() {
    listing "$1" >"$work/listing.now"
    cmp -s "$work/listing.orig" "$work/listing.now" || { diff "$work/listing.orig" "$work/listing.now" | head -20 >&2; fail "$2: the tree differs from the original (listing)"; }
    contents "$1" >"$work/contents.now"
    cmp -s "$work/contents.orig" "$work/contents.now" || { diff "$work/contents.orig" "$work/contents.now" | head -20 >&2; fail "$2: the tree differs from the original (file contents)"; }
}
listing "$work/data" >"$work/listing.orig"
contents "$work/data" >"$work/contents.orig"
n_entries="$(wc -l <"$work/listing.orig")"
n_names="$(awk -F'|' '$2 == "f"' "$work/listing.orig" | wc -l)"
n_dirs="$(awk -F'|' '$2 == "d"' "$work/listing.orig" | wc -l)"
n_symlinks="$(awk -F'|' '$2 == "l"' "$work/listing.orig" | wc -l)"
read -r n_files data_bytes < <(find "$work/data" -type f -printf '%i %s\n' | sort -u | awk '{ n++; s += $2 } END { print n, s }')
n_hardlinks=$((n_names - n_files))
n_large="$(awk -F, '{ print NF }' <<<"$LARGE")"
large_bytes="$(awk -F, '{ s = 0; for (i = 1; i <= NF; i++) s += $i; print s * 1048576 }' <<<"$LARGE")"
small_bytes=$((data_bytes - large_bytes))
mib() { benchlib mib "$1"; }
echo "data set: $n_files files ($SMALL small, $n_large large), $n_hardlinks more hardlinked names, $n_symlinks symlinks, $n_dirs directories; $data_bytes bytes of file data" >&2

# ---- a site: one directory holding the volume, the state dir and tar's outputs ---------------
# use_site DIR DEFER: sets data, state, ref, inplace, chain, take_cmd, restore_cmd and
# writes the helper scripts into DIR. With DEFER=1, `prep.sh fresh` moves the previous
# extraction aside instead of deleting it (deleted at the end), so that no mass deletion
# happens right before a timed `tar -xf` (see the notes on ext4 without a journal in the
# section).
use_site() {
    site="$1"
    data="$site/data"           # the volume: taken, and restored into
    state="$site/state"         # unidesk --state-dir; snapshots under $state/snapshots/$APP
    ref="$site/ref"             # tar's archive (out.tar) and extraction (fresh/)
    inplace="$site/inplace"     # holds the data set; `tar -xf` extracts over it (in place)
    chain="$site/chain"         # the like-for-like restore chain: cur/, stage/, old/
    mkdir -p "$state" "$ref" "$chain" "$site/trash" "$site/calls"
    take_cmd="$ud run $site/take.lua --state-dir $state --allow 'snapshot.*:$APP//*' --no-color"
    # --report: the restore call's own time is in the report's audit (see add_calls).
    restore_cmd="$ud run $site/restore.lua --state-dir $state --allow 'snapshot.*:$APP//*' --no-color --report $site/calls/last.json"
    printf 'local snapshot = require "unidesk.snapshot"\nsnapshot.take{ app = "%s", volumes = { "%s" } }\n' "$APP" "$data" >"$site/take.lua"
    printf 'local snapshot = require "unidesk.snapshot"\nsnapshot.restore{ app = "%s" }\n' "$APP" >"$site/restore.lua"
    local remove_fresh='rm -rf "'"$ref/fresh"'"'
    [[ "$2" == 1 ]] && remove_fresh='if [[ -d "'"$ref/fresh"'" ]]; then mv "'"$ref/fresh"'" "'"$site/trash"'/fresh.$(date +%s%N)"; fi'
    # prep.sh WHAT [cold]: hyperfine --prepare. Every timed run starts with no dirty pages
    # (sync), so writeback left by the previous run is not charged to the next one; with
    # `cold`, also with an empty page cache.
    cat >"$site/prep.sh" <<SH
set -euo pipefail
case "\$1" in
take) rm -rf "$state/snapshots/$APP" ;;
tarout) rm -f "$ref/out.tar" ;;
restore) if [[ -f "$site/calls/last.json" ]]; then mv "$site/calls/last.json" "$site/calls/\$(date +%s%N).json"; fi ;;
fresh) $remove_fresh; mkdir "$ref/fresh" ;;
inplace) bash "$work/listing.sh" "$inplace" | cmp -s "$work/listing.orig" - || { echo "prep.sh: $inplace does not hold the data set (an extraction left it partial?)" >&2; exit 1; } ;;
chain) rm -rf "$chain/stage" "$chain/old"; [[ -d "$chain/cur" ]] ;;
*) echo "prep.sh: unknown \$1" >&2; exit 2 ;;
esac
sync
if [[ "\${2:-}" == cold ]]; then echo 3 >/proc/sys/vm/drop_caches; fi
SH
    # take-sync.sh: tar's archive made durable (coreutils' `sync FILE` fsyncs FILE).
    printf 'set -euo pipefail\ntar --create --file="%s" %s --directory "%s" .\nsync "%s"\n' \
        "$ref/out.tar" "$GNU_OPTS" "$data" "$ref/out.tar" >"$site/take-sync.sh"
    # take-chain.sh: a shell doing what unidesk's take does, in sequence: archive, checksum, fsync.
    printf 'set -euo pipefail\ntar --create --file="%s" %s --directory "%s" .\nsha256sum "%s" >/dev/null\nsync "%s"\n' \
        "$ref/out.tar" "$GNU_OPTS" "$data" "$ref/out.tar" "$ref/out.tar" >"$site/take-chain.sh"
    # restore-chain.sh TAR SUMFILE: a shell gate doing what unidesk's restore does: check the
    # checksum, extract into a staging directory beside the target, swap it in (two
    # renames), remove the old data.
    cat >"$site/restore-chain.sh" <<SH
set -euo pipefail
cd "$chain"
sha256sum --check --quiet "\$2"
mkdir stage
tar -xf "\$1" -C stage
mv cur old
mv stage cur
rm -rf old
SH
}
snapshot_tar() { ls "$state/snapshots/$APP/last-good/"*.tar; }
manifest_field() { jq -r ".volumes[0].$1" "$state/snapshots/$APP/last-good/manifest.json"; }
sha_of() { echo "sha256:$(openssl dgst -sha256 -r "$1" | cut -d' ' -f1)"; }

# check_cycle WHERE: correct before timed. A take, checked against its manifest and against
# tar's own archive of the data; a restore, checked against the original tree.
check_cycle() {
    if ! eval "$take_cmd" >"$site/take.out" 2>"$site/take.err"; then cat "$site/take.err" >&2; fail "$1: snapshot.take failed"; fi
    local t
    t="$(snapshot_tar)"
    tar_bytes="$(stat -c %s "$t")"
    tar_sha="$(sha_of "$t")"
    [[ "$(manifest_field sha256)" == "$tar_sha" ]] || fail "$1: the manifest's sha256 $(manifest_field sha256) is not the archive's $tar_sha"
    [[ "$(manifest_field bytes)" == "$tar_bytes" ]] || fail "$1: the manifest says $(manifest_field bytes) bytes, the archive has $tar_bytes"
    [[ "$(manifest_field files)" == "$n_files" || "$(manifest_field files)" == "$n_names" ]] || fail "$1: the manifest counts $(manifest_field files) files, the data has $n_files ($n_names names)"
    tar --create --file="$ref/out.tar" $GNU_OPTS --directory "$data" .
    if [[ "$(sha_of "$ref/out.tar")" == "$tar_sha" ]]; then same_stream="byte for byte the same archive as unidesk's (same SHA-256)"; else same_stream="not byte for byte unidesk's archive"; fi
    if ! eval "$restore_cmd" >"$site/restore.out" 2>"$site/restore.err"; then cat "$site/restore.err" >&2; fail "$1: snapshot.restore failed"; fi
    same_tree "$data" "$1, after a take and a restore"
    [[ -z "$(find "$site" -maxdepth 1 -name '.unidesk-restore-*')" ]] || fail "$1: restore left a staging directory behind"
    echo "checked ($1): take + restore gives back the same $n_entries entries (types, modes, owners, sizes, link targets, link counts, mtimes) and file contents; the archive matches its manifest" >&2
}
# make_inplace TAR WHERE: the in-place `tar -xf`'s directory, filled once (untimed) from the
# snapshot and checked; prep.sh checks its listing again before every timed run.
make_inplace() {
    mkdir "$inplace"
    tar -xf "$1" -C "$inplace"
    same_tree "$inplace" "$2, the directory for the in-place tar -xf"
}

# ---- where unidesk's time goes: one run under strace -----------------------------------------
# Only process starts, fsync and renames are traced (seccomp-bpf: the reads and writes run
# untraced), so the run's time is nearly unchanged. The take's tar runs under setpriv, which
# execs it in the same process: tar's process is the one whose execve names "tar".
phases() { benchlib phases "$1" "$2"; }   # KIND STRACE-OUTPUT -> "name seconds" lines (and the restore's rm count, most at once)
declare -A P
# trace_phases PREFIX: one take and one restore of the current site, warm, into P[PREFIX_*]
trace_phases() {
    local k v
    bash "$site/prep.sh" take >/dev/null
    strace -f --seccomp-bpf -ttt -T -e trace=execve,fsync,rename,renameat2 -o "$site/strace.out" \
        "$UNIDESK_BIN" run "$site/take.lua" --state-dir "$state" --allow "snapshot.*:$APP//*" --no-color >/dev/null 2>&1
    while read -r k v; do P["$1_take_$k"]="$v"; done < <(phases take "$site/strace.out")
    bash "$site/prep.sh" restore >/dev/null
    strace -f --seccomp-bpf -ttt -T -e trace=execve,fsync,rename,renameat2 -o "$site/strace.out" \
        "$UNIDESK_BIN" run "$site/restore.lua" --state-dir "$state" --allow "snapshot.*:$APP//*" --no-color >/dev/null 2>&1
    while read -r k v; do P["$1_restore_$k"]="$v"; done < <(phases restore "$site/strace.out")
}

# reset_calls: no restore reports kept from before the table about to be timed.
reset_calls() { rm -rf "$site/calls"; mkdir "$site/calls"; }
# add_calls JSON WARMUP: appends to the restore table JSON one more result, the
# `snapshot.restore` call alone: each timed run's duration of it from its report's audit
# (each run writes --report; the next run's `prep.sh restore` moves it aside), the first
# WARMUP reports (the warm-up runs') left out. It ends when the new data is in place; the
# old data's removal comes after, before the run ends. No CPU time of its own.
add_calls() {
    local json="$1" warmup="$2" reports
    bash "$site/prep.sh" restore >/dev/null   # the last run's report
    mapfile -t reports < <(find "$site/calls" -name '*.json' | LC_ALL=C sort | tail -n "+$((warmup + 1))")
    benchlib add-call "$json" unidesk.snapshot.restore "${reports[@]}" --name "snapshot.restore call" \
        || fail "$json: the restore calls in the reports do not match the timed runs"
}

# time_takes JSON [-n NAME COMMAND]...: the take table of the current site: unidesk's take
# (0), tar with unidesk's options (1), `tar -cf` (2), tar piped into cat (3), tar exactly as
# unidesk runs it, 1 MiB records (4), then the extra commands (5, 6, …); every tar writes
# $ref/out.tar, removed before each run.
time_takes() {
    local json="$1"; shift
    local prepares=(--prepare "bash $site/prep.sh take") i
    for ((i = 0; i < 4 + $# / 3; i++)); do prepares+=(--prepare "bash $site/prep.sh tarout"); done
    BENCH_ROUNDS="$ROUNDS" hyperfine_rounds "$json" "$RUNS" "$WARMUP" "${prepares[@]}" \
        -n "unidesk snapshot.take" "$take_cmd" \
        -n "tar, unidesk's options" "tar --create --file=$ref/out.tar $GNU_OPTS --directory $data ." \
        -n "tar -cf" "tar -cf $ref/out.tar -C $data ." \
        -n "tar | cat > file" "bash -c 'tar --create --file=- $GNU_OPTS --directory $data . | cat >$ref/out.tar'" \
        -n "tar, unidesk's options, 1 MiB records" "tar --create --file=$ref/out.tar $REC_OPTS $GNU_OPTS --directory $data ." \
        "$@"
}

# time_site NAME WHERE: the take and restore tables of a second place (the current site), in
# $work/NAME-take.json and $work/NAME-restore.json, checked before and after.
time_site() {
    check_cycle "$2"
    echo "==> $2: take and restore, $RUNS runs per command in $ROUNDS rounds" >&2
    time_takes "$work/$1-take.json"
    rm -f "$ref/out.tar"   # room for the in-place directory
    T="$(snapshot_tar)"
    make_inplace "$T" "$2"
    reset_calls
    BENCH_ROUNDS="$ROUNDS" hyperfine_rounds "$work/$1-restore.json" "$RUNS" "$WARMUP" \
        --prepare "bash $site/prep.sh restore" --prepare "bash $site/prep.sh fresh" --prepare "bash $site/prep.sh inplace" \
        -n "unidesk snapshot.restore" "$restore_cmd" \
        -n "tar -xf" "tar -xf $T -C $ref/fresh" \
        -n "tar -xf in place" "tar -xf $T -C $inplace"
    add_calls "$work/$1-restore.json" "$WARMUP"   # result 3
}

# ---- tmpfs pass -------------------------------------------------------------------------------
# First, while the machine's page cache is the same for both: a copy of the data set on a
# tmpfs, where the disk, fsync and the filesystem's allocator cost (next to) nothing, so
# what remains is unidesk's own work against tar's.
if [[ -z "$tmpfs_skip" ]]; then
    tmpfs_work="$(mktemp -d "$TMPFS/unidesk-bench-snapshot.XXXXXX")"
    cp -a "$work/data" "$tmpfs_work/data"
    same_tree "$tmpfs_work/data" "the copy on $TMPFS"
    use_site "$tmpfs_work" 0
    time_site tmpfs tmpfs
    trace_phases tmpfs
    same_tree "$data" "tmpfs, after timing"
    same_tree "$inplace" "tmpfs, the in-place tar -xf's directory after timing"
    rm -rf "$tmpfs_work"
    tmpfs_work=""
fi

# ---- journaled ext4 pass ----------------------------------------------------------------------
# The filesystem under BENCH_SNAPSHOT_DIR may not be what servers run (here: ext4 without a
# journal, mounted with `discard`; see the end of the section). A fresh ext4 made by
# mkfs.ext4 with its defaults (a journal, no discard), in a sparse image on that disk, loop-
# mounted with direct I/O so its pages are cached once: the same data, take and restore.
if [[ -z "$journal_skip" ]]; then
    truncate -s 16G "$work/ext4.img"
    mkfs.ext4 -q -F "$work/ext4.img"
    if journal_dev="$(losetup --direct-io=on --find --show "$work/ext4.img" 2>/dev/null || losetup --find --show "$work/ext4.img" 2>&1)" \
        && [[ "$journal_dev" == /dev/* ]] && mkdir -p "$work/ext4" && mount "$journal_dev" "$work/ext4"; then
        journal_mnt="$work/ext4"
        journal_opts="$(findmnt -no OPTIONS -T "$journal_mnt" | head -1)"
        journal_dio="$(cat "/sys/block/$(basename "$journal_dev")/loop/dio" 2>/dev/null || echo 0)"
        cp -a "$work/data" "$journal_mnt/data"
        same_tree "$journal_mnt/data" "the copy on the journaled ext4"
        use_site "$journal_mnt" 0
        time_site journal "journaled ext4"
        same_tree "$data" "journaled ext4, after timing"
        same_tree "$inplace" "journaled ext4, the in-place tar -xf's directory after timing"
    else
        journal_skip="skipped: cannot loop-mount an image here (${journal_dev:-losetup failed})"
    fi
    unmount_journaled
fi

# ---- disk pass: correct before timed ----------------------------------------------------------
use_site "$work" 1
check_cycle "$BASE"

# ---- take, warm cache -----------------------------------------------------------------------
echo "==> take: $RUNS runs per command in $ROUNDS rounds, warm cache" >&2
time_takes "$work/take.json" \
    -n "tar; sync" "bash $site/take-sync.sh" \
    -n "tar; sha256sum; sync" "bash $site/take-chain.sh"

# The snapshot the restores use: the last timed take's.
T="$(snapshot_tar)"
[[ "$(sha_of "$T")" == "$(manifest_field sha256)" ]] || fail "the last timed take's archive does not match its manifest"
echo "$(manifest_field sha256 | sed 's/^sha256://')  $T" >"$work/snapshot.sha256"
mkdir "$chain/cur"
tar -xf "$T" -C "$chain/cur"
make_inplace "$T" "$BASE"

# ---- restore, warm cache --------------------------------------------------------------------
echo "==> restore: $RUNS runs per command in $ROUNDS rounds, warm cache" >&2
reset_calls
BENCH_ROUNDS="$ROUNDS" hyperfine_rounds "$work/restore.json" "$RUNS" "$WARMUP" \
    --prepare "bash $site/prep.sh restore" --prepare "bash $site/prep.sh fresh" --prepare "bash $site/prep.sh chain" \
    --prepare "bash $site/prep.sh inplace" \
    -n "unidesk snapshot.restore" "$restore_cmd" \
    -n "tar -xf" "tar -xf $T -C $ref/fresh" \
    -n "sha256sum -c; tar -xf; swap; rm -rf old" "bash $site/restore-chain.sh $T $work/snapshot.sha256" \
    -n "tar -xf in place" "tar -xf $T -C $inplace"
add_calls "$work/restore.json" "$WARMUP"   # result 4
# The hashers alone, over the archive (warm): what a checksum costs each way.
BENCH_ROUNDS=1 hyperfine_rounds "$work/hash.json" 3 1 \
    -n "sha256sum" "sha256sum $T" \
    -n "openssl dgst -sha256" "openssl dgst -sha256 $T"
trace_phases disk

# ---- cold cache -----------------------------------------------------------------------------
if ((COLD_RUNS > 0)); then
    echo "==> take and restore: $COLD_RUNS runs per command, page cache dropped before each" >&2
    BENCH_ROUNDS=1 hyperfine_rounds "$work/cold-take.json" "$COLD_RUNS" 0 \
        --prepare "bash $site/prep.sh take cold" --prepare "bash $site/prep.sh tarout cold" \
        -n "unidesk snapshot.take" "$take_cmd" \
        -n "tar, unidesk's options" "tar --create --file=$ref/out.tar $GNU_OPTS --directory $data ."
    T="$(snapshot_tar)"
    reset_calls
    BENCH_ROUNDS=1 hyperfine_rounds "$work/cold-restore.json" "$COLD_RUNS" 0 \
        --prepare "bash $site/prep.sh restore cold" --prepare "bash $site/prep.sh fresh cold" \
        --prepare "bash $site/prep.sh inplace cold" \
        -n "unidesk snapshot.restore" "$restore_cmd" \
        -n "tar -xf" "tar -xf $T -C $ref/fresh" \
        -n "tar -xf in place" "tar -xf $T -C $inplace"
    add_calls "$work/cold-restore.json" 0   # result 3
fi

# ---- correct after timed too ------------------------------------------------------------------
same_tree "$data" "after timing"
listing "$chain/cur" | cmp -s "$work/listing.orig" - || fail "the shell restore chain's tree differs from the original"
same_tree "$inplace" "the in-place tar -xf's directory after timing"
echo "checked: after timing, the restored volume, the shell chain's tree and the in-place tar -xf's directory are still identical to the original" >&2
OTHERS_END="$(other_processes)"
PRESSURE_END="$(pressure avg300)"

# ---- the section ----------------------------------------------------------------------------
st() { hyperfine_stat "$1" "$2" "$3"; }
ms() { benchlib ms "$1"; }
# ratio JSON REF UNIDESK -> "r sd rmin": ref time / unidesk time (mean, its sd; fastest runs)
ratio() { benchlib ratio "$1" "$2" "$3"; }
# verdict RATIO SD FASTEST: against the 0.95 target (benchlib.verdict says when it is clear)
verdict() { benchlib verdict "$1" "$2" "$3"; }
# judge JSON REF UNIDESK: "**r** ± sd (fastest runs rmin): it VERDICT"
judge() { benchlib judge "$1" "$2" "$3"; }
# cell JSON REF UNIDESK: a summary table cell, "**r** ± sd (rmin): verdict"; "–" without JSON
cell() { benchlib cell "$1" "$2" "$3"; }
# row JSON INDEX NAME WHAT [UNIDESK-INDEX]: a table row; WHAT empty: no such column
row() {
    local args=(row "$1" "$2" "$3" --bytes "$data_bytes")
    [[ -z "$4" ]] || args+=(--what "$4")
    [[ -z "${5:-}" ]] || args+=(--vs "$5")
    benchlib "${args[@]}"
}
# call_row JSON CALL INPLACE FRESH NAME WHAT: the restore call's row (add_calls), its ratio
# cell against both `tar -xf` rows; WHAT empty: no such column
call_row() {
    local args=(call-row "$1" "$2" "$3" "$4" "$5" --bytes "$data_bytes")
    [[ -z "$6" ]] || args+=(--what "$6")
    benchlib "${args[@]}"
}
# site_rows NAME: the rows of time_site's tables
site_rows() {
    row "$work/$1-take.json" 0 "unidesk \`snapshot.take\`" ""
    row "$work/$1-take.json" 1 "\`tar --create\` with unidesk's options" "" 0
    row "$work/$1-take.json" 2 "\`tar -cf\`" "" 0
    row "$work/$1-take.json" 3 "\`tar --create --file=- … \\| cat > file\`" "" 0
    row "$work/$1-take.json" 4 "\`tar --create\` with unidesk's options and 1 MiB records" "" 0
    row "$work/$1-restore.json" 0 "unidesk \`snapshot.restore\`" ""
    call_row "$work/$1-restore.json" 3 2 1 "… its \`snapshot.restore\` call, until the new data is in place" ""
    row "$work/$1-restore.json" 2 "\`tar -xf\` over the volume's current data (in place)" "" 0
    row "$work/$1-restore.json" 1 "\`tar -xf\` into an empty directory" "" 0
}
mount_src="$(findmnt -no SOURCE -T "$work" | head -1)"
mount_info="$(findmnt -no SOURCE,FSTYPE,OPTIONS -T "$work" | head -1 | awk '{ printf "%s (%s, %s)", $1, $2, $3 }')"
discard=no
findmnt -no OPTIONS -T "$work" | head -1 | tr ',' '\n' | grep -qx discard && discard=yes
no_journal=no
if [[ "$(findmnt -no FSTYPE -T "$work" | head -1)" == ext4 && "$(cat "/sys/fs/ext4/$(basename "$mount_src")/journal_task" 2>/dev/null)" == "<none>" ]]; then no_journal=yes; fi
sha_m="$(st "$work/hash.json" 0 mean)"
ossl_m="$(st "$work/hash.json" 1 mean)"
runs_done="$(runs_of "$work/take.json")"
# The phase tables and "Reading the figures" (its sentences picked by this run's numbers) are
# benchlib's (snapshot-phases, snapshot-reading), from the traced phases and the passes' JSON.
for k in "${!P[@]}"; do echo "$k ${P[$k]}"; done >"$work/phases.txt"
reading_args=(--base "$BASE" --rec-opts="$REC_OPTS" --cpus "$(nproc)" --files "$n_files")
[[ "$discard" != yes ]] || reading_args+=(--discard)
[[ "$no_journal" != yes ]] || reading_args+=(--no-journal-fs)
[[ -z "$tmpfs_skip" ]] || reading_args+=(--skip tmpfs)
[[ -z "$journal_skip" ]] || reading_args+=(--skip journal)
((COLD_RUNS != 0)) || reading_args+=(--skip cold)
{
    echo "## Snapshots: take and restore of a $(benchlib gib "$data_bytes") GiB volume, unidesk.snapshot vs GNU tar"
    echo
    echo "_Written by \`scripts/bench snapshot\`; do not edit between the markers._"
    echo
    machine_markdown
    busy_warning
    echo "- Other processes using ≥ 5 % of a CPU (\`top\` over 1 s): at the start: $OTHERS_START; at the end: $OTHERS_END"
    echo "- Free page reporting to the hypervisor (virtio-balloon): $PAGE_REPORTING_STATE"
    echo "- Pressure stall (\`/proc/pressure\`, share of the last 300 s in which some task waited for the CPU or for I/O): at the start $PRESSURE_START; at the end $PRESSURE_END"
    echo "- Versions: $("$UNIDESK_BIN" version) built from $(source_revision); $(tar --version | head -1); $(sha256sum --version | head -1); $(openssl version | cut -d' ' -f1-2); hyperfine $(hyperfine --version | cut -d' ' -f2)"
    echo "- Filesystem: data, snapshots and extractions all on $mount_info$([[ "$no_journal" == yes ]] && echo ", an ext4 **without a journal**"); $(free -g | awk '/^Mem:/ { print $2 }') GiB of RAM, so the data set and its archives fit in the page cache. Second pass: $([[ -z "$tmpfs_skip" ]] && echo "a copy on the tmpfs $TMPFS" || echo "$tmpfs_skip"); third: $([[ -z "$journal_skip" ]] && echo "a copy on an ext4 with a journal, loop-mounted" || echo "$journal_skip")."
    echo "- Reproduce: \`scripts/bench snapshot\` (defaults \`BENCH_SNAPSHOT_RUNS=6 BENCH_SNAPSHOT_ROUNDS=3 BENCH_SNAPSHOT_WARMUP=1 BENCH_SNAPSHOT_COLD_RUNS=3 BENCH_SNAPSHOT_DIR=/var/tmp BENCH_SNAPSHOT_TMPFS=/dev/shm\`, this run \`BENCH_SNAPSHOT_RUNS=$RUNS BENCH_SNAPSHOT_ROUNDS=$ROUNDS BENCH_SNAPSHOT_WARMUP=$WARMUP BENCH_SNAPSHOT_COLD_RUNS=$COLD_RUNS BENCH_SNAPSHOT_DIR=$BASE BENCH_SNAPSHOT_TMPFS=$TMPFS\`)"
    echo "- Data set (generated for the run, removed at the end): **$n_files files, $data_bytes bytes ($(mib "$data_bytes")) of file data**: $SMALL small files of 1–16 KiB (sizes from a fixed seed, $(mib "$small_bytes")) spread over $DIRS directories, $n_large large files of $(sed 's/,/, /g' <<<"$LARGE") MiB, $n_hardlinks more hardlinked names (20 to small files, one to the largest), $n_symlinks symlinks (one dangling, one to a directory); $n_entries entries in all, $n_dirs of them directories. Contents are random bytes (incompressible). The archive is $tar_bytes bytes ($(mib "$tar_bytes")); throughput below is file data bytes / mean wall time."
    echo "- Checked before timing, in each place: a take then a restore gives back the same tree (type, mode, owner, size, link target, link count and mtime of every entry; SHA-256 of every file), the archive matches the manifest's size and SHA-256, and tar run with unidesk's options on the same data writes $same_stream. The directory the in-place \`tar -xf\` extracts over is filled once from the snapshot, untimed, checked the same way, and its listing checked again before every run of it (\`--prepare\`). Checked after timing: the restored volume, the tree the shell restore chain left and the in-place directory still match the original."
    echo
    echo "Ratios are **tar's time ÷ unidesk's time** (so, for a throughput, unidesk's ÷ tar's): 1 is the same speed, above 1 unidesk is faster; the target is ≥ 0.95 against tar on the same data (\`tar -cf\` for the take; \`tar -xf\` for the restore, of which extracting over the volume's current data is the like-for-like form). A verdict is clear when the mean ratio, one sd either way, and the fastest runs' ratio are all on the same side of 0.95; otherwise the text says which side each is on. Warm cache: $runs_done runs of each after $WARMUP warm-up run, in $ROUNDS consecutive \`hyperfine -N\` rounds that each time every command of the table, one after the other. Before each run (\`--prepare\`, not timed) the previous output is removed (the in-place \`tar -xf\` keeps it: it is the data that run extracts over) and \`sync\` flushes all dirty pages, so no run pays for the writeback of another; writeback of what a command writes itself is in its time only where it syncs (unidesk's take starts the writeback of its archive as it grows and fsyncs it; its restore fsyncs the directories it swaps, not the files)."
    echo
    echo "### Take, on $BASE"
    echo
    echo '```sh'
    echo "unidesk run take.lua --state-dir STATE --allow 'snapshot.*:$APP//*' --no-color   # snapshot.take{ app = \"$APP\", volumes = { \"/abs/data\" } }"
    echo "tar --create --file=out.tar $GNU_OPTS --directory data ."
    echo "tar -cf out.tar -C data ."
    echo '```'
    echo
    echo "| command | what it does | wall (mean ± sd) | fastest | CPU (user + sys) | throughput | tar ÷ unidesk |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    row "$work/take.json" 0 "unidesk \`snapshot.take\`" "walks the tree to estimate the size; runs tar with the options on the next line and 1 MiB records (\`$REC_OPTS\`, under \`setpriv --pdeathsig KILL\`), tar writing the snapshot file itself; reads the file back as it grows, hashes (SHA-256) and header-checks it, starting its writeback every 8 MiB (\`sync_file_range\`); cuts the last record's zero padding back to tar's default 10 KiB record, so the file is byte for byte the next line's; fsyncs it; writes the manifest; renames into place"
    row "$work/take.json" 1 "\`tar --create\` with unidesk's options" "the same archive, written by tar straight to the file; no checksum, no fsync" 0
    row "$work/take.json" 2 "\`tar -cf\`" "tar's defaults (no \`--sparse\` hole detection, no xattrs)" 0
    row "$work/take.json" 3 "\`tar --create --file=- … \\| cat > file\`" "the archive through a pipe into the file: one more copy of every byte (unidesk's take lets tar write the file); no checksum, no fsync" 0
    row "$work/take.json" 5 "\`tar --create …; sync file\`" "tar's archive made durable as unidesk's is (\`sync FILE\` is an fsync); no checksum" 0
    row "$work/take.json" 6 "\`tar --create …; sha256sum; sync file\`" "a shell doing unidesk's work in sequence: archive, checksum, fsync" 0
    row "$work/take.json" 4 "\`tar --create $REC_OPTS\` with unidesk's options" "tar exactly as unidesk runs it, 1 MiB records, straight to the file: unidesk's take without its work (no read-back, checksum, padding cut or fsync)" 0
    echo
    echo "### Restore, on $BASE"
    echo
    echo '```sh'
    echo "unidesk run restore.lua --state-dir STATE --allow 'snapshot.*:$APP//*' --no-color   # snapshot.restore{ app = \"$APP\" }"
    echo "tar -xf SNAPSHOT.tar -C dir-holding-the-data   # in place"
    echo "tar -xf SNAPSHOT.tar -C empty-dir"
    echo "sha256sum --check --quiet SUMS && mkdir stage && tar -xf SNAPSHOT.tar -C stage && mv cur old && mv stage cur && rm -rf old"
    echo '```'
    echo
    echo "| command | what it does | wall (mean ± sd) | fastest | CPU (user + sys) | throughput | tar ÷ unidesk |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    row "$work/restore.json" 0 "unidesk \`snapshot.restore\`" "reads the snapshot file through SHA-256 and the header check (unsafe names, links out of the volume) and splices each checked 1 MiB into the pipe of \`tar --extract\` (1 MiB records: \`--blocking-factor=2048 --read-full-records\`), which extracts into a staging directory beside the volume; checks the checksum; fsyncs the staging directory, swaps it with the volume (\`renameat2(RENAME_EXCHANGE)\`) and returns from the call; **removes the old data** (its entries split over up to 8 \`rm -rf\` at once) before the run ends"
    call_row "$work/restore.json" 4 3 1 "… its \`snapshot.restore\` call" "the call alone, until the volume holds the new data (each run's \`--report\`: its audit's \`duration_ms\`); the old data's removal comes after it, on a thread of its own, overlapping what a recipe does next (starting the service again), and the run (the row above) ends when it is done"
    row "$work/restore.json" 3 "\`tar -xf\` over the volume's current data (in place)" "extraction into a directory already holding the same data, as a shell restore into a live volume does: GNU tar unlinks each existing file before writing it, so the old data's removal is in its time; no checksum, no swap (a failure halfway leaves a mix of old and new)" 0
    row "$work/restore.json" 1 "\`tar -xf\` into an empty directory" "extraction only: no checksum, no swap, nothing to remove (the previous extraction is moved aside in \`--prepare\`, untimed, and deleted at the end)" 0
    row "$work/restore.json" 2 "\`sha256sum -c\`; \`tar -xf\` into a staging dir; swap (2 \`mv\`); \`rm -rf old\`" "a shell gate doing the same work as unidesk, in sequence (checks the whole file before extracting)" 0
    echo
    echo "The hashers alone over the $(mib "$tar_bytes") archive, warm: \`sha256sum\` $(fmt_time "$sha_m" "$(st "$work/hash.json" 0 stddev)") ($(benchlib rate "$tar_bytes" "$sha_m")), \`openssl dgst -sha256\` $(fmt_time "$ossl_m" "$(st "$work/hash.json" 1 stddev)") ($(benchlib rate "$tar_bytes" "$ossl_m")); unidesk hashes with OpenSSL's EVP SHA-256 (SHA-NI on this CPU: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)); coreutils' \`sha256sum\` does not use it."
    echo
    if [[ -z "$tmpfs_skip" ]]; then
        echo "### Take and restore on a tmpfs ($TMPFS)"
        echo
        echo "The same data, copied to a tmpfs, with its snapshot and tar's outputs there too: no disk, fsync costs nothing, deleting does not wait for the device, no ext4 allocator; what is left is the CPU and memory work of each command. $(runs_of "$work/tmpfs-take.json") runs of each after $WARMUP warm-up run, in $ROUNDS rounds, before the runs above."
        echo
        echo "| command | wall (mean ± sd) | fastest | CPU (user + sys) | throughput | tar ÷ unidesk |"
        echo "| --- | --- | --- | --- | --- | --- |"
        site_rows tmpfs
        echo
    fi
    if [[ -z "$journal_skip" ]]; then
        echo "### Take and restore on an ext4 with a journal"
        echo
        echo "The same data on a fresh ext4 made by \`mkfs.ext4\` with its defaults (a journal; mounted \`$journal_opts\`: no \`discard\`), a 16 GiB sparse image on $BASE loop-mounted$([[ "$journal_dio" == 1 ]] && echo " with direct I/O (its pages are cached once, in the image's filesystem)"), with its snapshot and tar's outputs there too. This is the filesystem servers usually run; it has neither the discard waits nor the allocator of the ext4 without a journal below. $(runs_of "$work/journal-take.json") runs of each after $WARMUP warm-up run, in $ROUNDS rounds, before the runs on $BASE."
        echo
        echo "| command | wall (mean ± sd) | fastest | CPU (user + sys) | throughput | tar ÷ unidesk |"
        echo "| --- | --- | --- | --- | --- | --- |"
        site_rows journal
        echo
    else
        echo "### Take and restore on an ext4 with a journal"
        echo
        echo "$journal_skip."
        echo
    fi
    if ((COLD_RUNS > 0)); then
        echo "### Cold cache, on $BASE"
        echo
        echo "The same commands with the page cache dropped before each run (\`sync; echo 3 > /proc/sys/vm/drop_caches\` in \`--prepare\`): the take reads the data set from the disk, the restore the archive (and the in-place \`tar -xf\` the directories it extracts over); unidesk's binary and libraries are read again too. $(runs_of "$work/cold-take.json") runs of each, one \`hyperfine -N\` invocation per table, no warm-up."
        echo
        echo "| command | wall (mean ± sd) | fastest | CPU (user + sys) | throughput | tar ÷ unidesk |"
        echo "| --- | --- | --- | --- | --- | --- |"
        row "$work/cold-take.json" 0 "unidesk \`snapshot.take\`, cold" ""
        row "$work/cold-take.json" 1 "\`tar --create\` with unidesk's options, cold" "" 0
        row "$work/cold-restore.json" 0 "unidesk \`snapshot.restore\`, cold" ""
        call_row "$work/cold-restore.json" 3 2 1 "… its \`snapshot.restore\` call, cold" ""
        row "$work/cold-restore.json" 2 "\`tar -xf\` over the volume's current data (in place), cold" "" 0
        row "$work/cold-restore.json" 1 "\`tar -xf\` into an empty directory, cold" "" 0
        echo
    fi
    echo "### Where unidesk's time goes"
    echo
    echo "One more take and one more restore in each place, warm, under \`strace -f --seccomp-bpf -e trace=execve,fsync,rename,renameat2\` (the reads and writes are not traced, so the run's speed is about unchanged), cut into phases at tar's start and exit, the fsyncs and the swap:"
    echo
    benchlib snapshot-phases "$work/phases.txt" --base "$BASE" --entries "$n_entries"
    echo
    echo "### Reading the figures"
    echo
    echo "Every ratio against the 0.95 target, tar's time ÷ unidesk's: mean ± sd (fastest runs), and the verdict as defined above. \"The run\" is \`unidesk run restore.lua\` from start to exit; \"the call\" is the \`snapshot.restore\` call in it, until the volume holds the new data (the old data is removed after it, while a recipe goes on, before the run ends)."
    echo
    echo "| tar ÷ unidesk | $BASE | tmpfs | journaled ext4 | cold, $BASE |"
    echo "| --- | --- | --- | --- | --- |"
    echo "| take vs \`tar --create\` with unidesk's options | $(cell "$work/take.json" 1 0) | $(cell "$work/tmpfs-take.json" 1 0) | $(cell "$work/journal-take.json" 1 0) | $(cell "$work/cold-take.json" 1 0) |"
    echo "| take vs \`tar -cf\` | $(cell "$work/take.json" 2 0) | $(cell "$work/tmpfs-take.json" 2 0) | $(cell "$work/journal-take.json" 2 0) | – |"
    echo "| restore, the run, vs \`tar -xf\` in place | $(cell "$work/restore.json" 3 0) | $(cell "$work/tmpfs-restore.json" 2 0) | $(cell "$work/journal-restore.json" 2 0) | $(cell "$work/cold-restore.json" 2 0) |"
    echo "| restore, the run, vs \`tar -xf\` into an empty directory | $(cell "$work/restore.json" 1 0) | $(cell "$work/tmpfs-restore.json" 1 0) | $(cell "$work/journal-restore.json" 1 0) | $(cell "$work/cold-restore.json" 1 0) |"
    echo "| restore, the call, vs \`tar -xf\` in place | $(cell "$work/restore.json" 3 4) | $(cell "$work/tmpfs-restore.json" 2 3) | $(cell "$work/journal-restore.json" 2 3) | $(cell "$work/cold-restore.json" 2 3) |"
    echo "| restore, the call, vs \`tar -xf\` into an empty directory | $(cell "$work/restore.json" 1 4) | $(cell "$work/tmpfs-restore.json" 1 3) | $(cell "$work/journal-restore.json" 1 3) | $(cell "$work/cold-restore.json" 1 3) |"
    echo
    benchlib snapshot-reading "$work" "$work/phases.txt" "${reading_args[@]}"
} >"$BENCH_SECTION"
cat "$BENCH_SECTION"
