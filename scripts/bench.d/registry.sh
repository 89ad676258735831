# Benchmark `registry`: 200 manifest HEADs of distinct tags on a local distribution
# registry: `unidesk run` with registry.head_many (one process) versus a shell loop of
# `curl -sI` and a loop of `skopeo inspect --raw`, one process per tag. Target: at least
# 10x faster than the curl loop. Starts and stops its own registry (scripts/stack).
# needs: curl:curl skopeo:skopeo
set -euo pipefail
source "$ROOT/scripts/bench.d/lib.sh"

BENCH_LOAD_START="$(load_average)"
tmp="$(mktemp -d)"
export UNIDESK_STACK_DIR="$tmp/stack"
trap '"$ROOT/scripts/stack/registry-down" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
"$ROOT/scripts/stack/registry-up" >&2
# shellcheck disable=SC1091
source "$UNIDESK_STACK_DIR/registry/env.sh"

reg="$UNIDESK_REG_ANON" repo="$UNIDESK_BENCH_REPO" n="$UNIDESK_BENCH_TAGS" digest="$UNIDESK_DIGEST_BENCH"
accept="application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json"
ud="$(printf '%q' "$UNIDESK_BIN")"
unidesk_cmd="$ud run $ROOT/bench/registry/heads.lua --no-color --var registry=$reg --var repo=$repo --var count=$n --var digest=$digest"
cat >"$tmp/curl-loop.sh" <<SH
for i in \$(seq -f '%03g' 1 $n); do curl -sI -o /dev/null -w '%{http_code}\n' -H 'Accept: $accept' http://$reg/v2/$repo/manifests/t\$i; done
SH
cat >"$tmp/skopeo-loop.sh" <<SH
for i in \$(seq -f '%03g' 1 $n); do skopeo inspect --raw --tls-verify=false docker://$reg/$repo:t\$i >/dev/null; done
SH

# Correct before timed: unidesk sees all n with the right digest; curl gets n 200s.
got="$(eval "$unidesk_cmd" 2>/dev/null)"
[[ "$got" == "$n" ]] || { echo "scripts/bench registry: unidesk found $got of $n tags" >&2; exit 1; }
ok="$(bash "$tmp/curl-loop.sh" | grep -c '^200$')"
[[ "$ok" == "$n" ]] || { echo "scripts/bench registry: curl loop got $ok of $n 200s" >&2; exit 1; }
bash "$tmp/skopeo-loop.sh"
echo "checked: unidesk and curl both see $n tags" >&2

runs="${BENCH_RUNS:-10}"
hyperfine_rounds "$tmp/fast.json" "$runs" "$BENCH_WARMUP" \
    -n "unidesk head_many" "$unidesk_cmd" \
    -n "curl -sI loop" "bash $tmp/curl-loop.sh"
# skopeo takes seconds per run: fewer runs, its own invocation.
BENCH_ROUNDS=1 hyperfine_rounds "$tmp/skopeo.json" 3 0 -n "skopeo inspect loop" "bash $tmp/skopeo-loop.sh"

# The table is benchlib's (registry-table).
table="$(benchlib registry-table "$tmp/fast.json" "$tmp/skopeo.json" "$n")"

{
    echo "## Registry: $n manifest HEADs, \`registry.head_many\` vs curl and skopeo loops"
    echo
    echo "_Written by \`scripts/bench registry\`; do not edit between the markers._"
    echo
    machine_markdown
    busy_warning
    echo "- Versions: $("$UNIDESK_BIN" version); $(curl --version | head -1 | cut -d' ' -f1-2); skopeo $(skopeo --version | awk '{print $3}'); docker-registry $(dpkg-query -W -f='${Version}' docker-registry)"
    echo "- Reproduce: \`scripts/bench registry\` (starts its own registry on 127.0.0.1:5000 with scripts/stack)"
    echo "- Method: $n distinct tags of one image on an anonymous distribution 2.8 registry on loopback. unidesk: one \`unidesk run\` (process start included) of \`bench/registry/heads.lua\`, head_many with 16 in flight over reused connections (plain HTTP/1.1 on loopback; HTTP/2 is negotiated over TLS only). curl: \`curl -sI\` per tag in a shell loop. skopeo: \`skopeo inspect --raw\` per tag. Results checked before timing (all $n found with the expected digest)."
    echo
    echo "$table"
} >"$BENCH_SECTION"
cat "$BENCH_SECTION"
