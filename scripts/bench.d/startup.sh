# Benchmark `startup`: how long unidesk takes to start and end, the cost CI pays on every
# `unidesk run`, `unidesk check` and Job, each against a reference started the same way:
# an empty recipe against lua5.4 (target: at most 3× its time, by the median runs),
# `unidesk check` of it against `luac5.4 -p`, `unidesk version` against `lua5.4 -v`, and the
# image (scripts/image) run by podman against `true` in the same image.
# Run through scripts/bench, which sets ROOT, UNIDESK_BIN, BENCH_RUNS, BENCH_WARMUP and
# BENCH_SECTION. BENCH_STARTUP_RUNS (default 100) runs of each; BENCH_STARTUP_IMAGE=0 skips
# the image (it needs podman and mmdebstrap, and builds the image, minutes when its caches are
# cold).
# needs: lua5.4:lua5.4 luac5.4:lua5.4
set -euo pipefail
source "$ROOT/scripts/bench.d/lib.sh"

RUNS="${BENCH_STARTUP_RUNS:-100}"
IMAGE_RUNS="${BENCH_STARTUP_IMAGE_RUNS:-20}"
WITH_IMAGE="${BENCH_STARTUP_IMAGE:-1}"
if [[ "$WITH_IMAGE" != 0 ]] && ! { command -v podman && command -v mmdebstrap && command -v skopeo; } >/dev/null; then
    echo "scripts/bench startup: no podman, mmdebstrap or skopeo: the image is skipped (BENCH_STARTUP_IMAGE=0 says so quietly)" >&2
    WITH_IMAGE=0
fi

BENCH_LOAD_START="$(load_average)"
tmp="$(mktemp -d)"
image_id=""
cleanup() {
    [[ -z "$image_id" ]] || podman rmi -f "$image_id" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
cp "$ROOT/bench/empty.lua" "$tmp/empty.lua"
chmod 755 "$tmp"; chmod 644 "$tmp/empty.lua"   # the image's user (65532) reads it through the mount
cd "$tmp"
ud="$(printf '%q' "$UNIDESK_BIN")"

# Checks before timing: each command succeeds and says what it should.
[[ -z "$("$UNIDESK_BIN" run empty.lua --no-color 2>/dev/null)" ]] || { echo "scripts/bench startup: the empty recipe printed something" >&2; exit 1; }
"$UNIDESK_BIN" check empty.lua | grep -qx 'empty.lua: ok' || { echo "scripts/bench startup: unidesk check empty.lua is not ok" >&2; exit 1; }
luac5.4 -p empty.lua
"$UNIDESK_BIN" version | grep -q '^unidesk ' || { echo "scripts/bench startup: unidesk version printed no version" >&2; exit 1; }

pairs=()
# pair WHAT TARGET REF-NAME REF-COMMAND UD-NAME UD-COMMAND [RUNS]: one hyperfine document per pair.
pair() {
    local what="$1" target="$2" json="$tmp/pair-${#pairs[@]}.json"
    hyperfine_rounds "$json" "${7:-$RUNS}" "$BENCH_WARMUP" -n "$3" "$4" -n "$5" "$6"
    pairs+=(--pair "$what" "$json" "$target")
}
pair "an empty recipe" 3 "lua5.4 empty.lua" "lua5.4 empty.lua" "unidesk run empty.lua --no-color" "$ud run empty.lua --no-color"
pair "\`unidesk check\` of it" 0 "luac5.4 -p empty.lua" "luac5.4 -p empty.lua" "unidesk check empty.lua" "$ud check empty.lua"
pair "\`unidesk version\`" 0 "lua5.4 -v" "lua5.4 -v" "unidesk version" "$ud version"

image_line=""
if [[ "$WITH_IMAGE" != 0 ]]; then
    echo "==> scripts/image --out $tmp/oci (the release binary of this checkout, in the image)" >&2
    "$ROOT/scripts/image" --out "$tmp/oci" >&2
    # Without CAP_SYS_RESOURCE (as here) podman's default rlimits cannot be set: the limits
    # scripts/stack/engine-up gives its containers, which this machine accepts.
    limits=(--ulimit nofile=20000:20000 --ulimit nproc=32768:32768)
    # Into podman's storage under a name of its own (podman pull would name it by the path).
    image_id="localhost/unidesk-bench-startup:$$"
    skopeo copy -q "oci:$tmp/oci" "containers-storage:$image_id" >&2
    podman run --rm "${limits[@]}" -v "$tmp:/work" "$image_id" run empty.lua --no-color
    lim="${limits[*]}"
    pair "the image, by \`podman run --rm\`" 0 "podman run --rm --entrypoint true IMAGE" \
        "podman run --rm $lim --entrypoint true $image_id" "podman run --rm -v DIR:/work IMAGE run empty.lua" \
        "podman run --rm $lim -v $tmp:/work $image_id run empty.lua --no-color" "$IMAGE_RUNS"
    image_line="- The image: built by \`scripts/image\` from this checkout ($(du -sm "$tmp/oci" | cut -f1) MB OCI layout); both commands start a container of it with podman $(podman version --format '{{.Client.Version}}' 2>/dev/null || echo '?'), which is most of their time."
fi
table="$(benchlib startup-table "${pairs[@]}")"

{
    echo "## Start-up: \`unidesk run\` of an empty recipe, \`check\`, \`version\` and the image"
    echo
    echo "_Written by \`scripts/bench startup\`; do not edit between the markers (notes go after the end marker)._"
    echo
    machine_markdown
    busy_warning
    echo "- Versions: $(lua5.4 -v 2>&1 | awk 'NR == 1 { print $1, $2 }'); $("$UNIDESK_BIN" version) built from $(source_revision) ($(ldd "$UNIDESK_BIN" | grep -c '=>') shared libraries at start-up)"
    echo "- Reproduce: \`scripts/bench startup\` (defaults \`BENCH_STARTUP_RUNS=100 BENCH_ROUNDS=5 BENCH_WARMUP=2 BENCH_STARTUP_IMAGE=1 BENCH_STARTUP_IMAGE_RUNS=20\`, this run \`BENCH_STARTUP_RUNS=$RUNS BENCH_ROUNDS=${BENCH_ROUNDS:-5} BENCH_WARMUP=$BENCH_WARMUP BENCH_STARTUP_IMAGE=$WITH_IMAGE BENCH_STARTUP_IMAGE_RUNS=$IMAGE_RUNS\`)"
    echo "- Method: each pair timed together by \`hyperfine -N\` in ${BENCH_ROUNDS:-5} consecutive rounds ($RUNS runs of each command in all, after $BENCH_WARMUP warm-up runs), so drifts in machine load hit both; the ratio is of the median runs (target for an empty recipe: at most 3× lua5.4's). Checked first: the empty recipe prints nothing, \`check\` says \`empty.lua: ok\`, \`version\` prints a version."
    [[ -z "$image_line" ]] || echo "$image_line"
    echo
    echo "$table"
} >"$BENCH_SECTION"

echo
echo "$table"
