# Benchmark `kube`: server-side apply of 200 ConfigMaps through unidesk.kube versus kubectl.
#  - unidesk: one `unidesk run` of a recipe that reads the 200 manifests (fs.list + fs.read)
#    and calls kube.apply on each, and a variant that applies them as one multi-document YAML;
#  - kubectl: one `kubectl apply --server-side -f DIR/` (discovery cache warm, and cold), and a
#    shell loop of 200 `kubectl apply --server-side -f FILE` (fewer runs: it takes a minute);
#  - references: the same 200 PATCHes sent by one curl process, one after the other over one
#    connection (the floor for a sequential client), and 8 in flight; kubectl --validate=false.
# Each is timed creating the objects (they are deleted before every run: 201s) and re-applying
# them unchanged (200s, nothing written). Target: unidesk <= 0.5x the single kubectl process.
# Starts and stops its own Kubernetes API (scripts/stack/kube-up, v1.20.2) in a temp dir on
# 127.0.0.1:$BENCH_KUBE_PORT (default 16453; etcd 23793/23803), never the tests' stack. Run
# through scripts/bench, which sets ROOT, UNIDESK_BIN, BENCH_RUNS, BENCH_WARMUP, BENCH_SECTION.
#   BENCH_KUBE_OBJECTS     ConfigMaps (default 200)
#   BENCH_KUBE_LOOP_RUNS   timed runs of each 200-kubectl loop (default 3, no warm-up)
#   BENCH_KUBE_SPLIT_RUNS  runs of each tool for the breakdown of where the time goes (default 3)
#   BENCH_KUBE_PORT, BENCH_KUBE_ETCD_PORT, BENCH_KUBE_ETCD_PEER_PORT  the stack's ports
# needs: kubectl:kubectl curl:curl top:procps
set -euo pipefail
source "$ROOT/scripts/bench.d/lib.sh"

N="${BENCH_KUBE_OBJECTS:-200}"
LOOP_RUNS="${BENCH_KUBE_LOOP_RUNS:-3}"
SPLIT_RUNS="${BENCH_KUBE_SPLIT_RUNS:-3}"
NS=bench
SEL="app.kubernetes.io/part-of=unidesk-bench"

BENCH_LOAD_START="$(load_average)"
OTHERS_START="$(other_processes)"
# Loopback only, and never the caller's kubeconfig.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy KUBECONFIG KUBECACHEDIR
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

tmp="$(mktemp -d)"
export UNIDESK_STACK_DIR="$tmp/stack" UNIDESK_KUBE_PORT="${BENCH_KUBE_PORT:-16453}"
export UNIDESK_KUBE_ETCD_PORT="${BENCH_KUBE_ETCD_PORT:-23793}" UNIDESK_KUBE_ETCD_PEER_PORT="${BENCH_KUBE_ETCD_PEER_PORT:-23803}"
trap '"$ROOT/scripts/stack/kube-down" --quiet >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
"$ROOT/scripts/stack/kube-up" >&2
# shellcheck disable=SC1091
source "$UNIDESK_STACK_DIR/kube/env.sh"
unset KUBECACHEDIR   # each kubectl command below names its cache dir
export KUBECONFIG="$UNIDESK_KUBECONFIG_ADMIN_TOKEN"   # what unidesk reads; kubectl gets --kubeconfig too
kubectl="$UNIDESK_KUBECTL"
ud="$(printf '%q' "$UNIDESK_BIN")"
work="$tmp/work"        # the recipes, and manifests/ the recipes and every tool read
mkdir -p "$work/manifests"
kc() { "$kubectl" --kubeconfig "$KUBECONFIG" --cache-dir "$tmp/kcache-check" "$@"; }
kc create namespace "$NS" >/dev/null

# ---- the manifests ------------------------------------------------------------------------
# N ConfigMaps bench-001…, each with a label and 5 data keys of 100 bytes; expected.txt holds
# what the server must end up with, one "name<TAB>key<TAB>value" line per key plus the fields'
# managers ("managers<TAB>bench/Apply": the only entry of managedFields).
pad="$(printf '%0100d' 0 | tr 0 x)"
for ((i = 1; i <= N; i++)); do
    name="$(printf 'bench-%03d' "$i")"
    {
        printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: %s\n' "$name" "$NS"
        printf '  labels:\n    app.kubernetes.io/part-of: unidesk-bench\ndata:\n'
        for k in 1 2 3 4 5; do
            v="$name key$k ${pad}"
            printf '  key%d: "%s"\n' "$k" "${v:0:100}"
            printf '%s\tkey%d\t%s\n' "$name" "$k" "${v:0:100}" >>"$tmp/expected.txt"
        done
    } >"$work/manifests/$name.yaml"
    printf '%s\tmanagers\tbench/Apply\n' "$name" >>"$tmp/expected.txt"
done
sort -o "$tmp/expected.txt" "$tmp/expected.txt"
manifest_bytes="$(cat "$work/manifests"/*.yaml | wc -c)"

cat >"$work/apply.lua" <<'LUA'
-- Applies every manifest of manifests/, one kube.apply per file; prints how many.
local fs, kube = require "unidesk.fs", require "unidesk.kube"
local n = 0
for _, name in ipairs(fs.list("manifests")) do
  kube.apply(fs.read("manifests/" .. name), { field_manager = "bench" })
  n = n + 1
end
print(n)
LUA
cat >"$work/apply-multidoc.lua" <<'LUA'
-- The same manifests joined into one multi-document YAML, applied by one kube.apply call.
local fs, kube = require "unidesk.fs", require "unidesk.kube"
local docs = {}
for _, name in ipairs(fs.list("manifests")) do docs[#docs + 1] = fs.read("manifests/" .. name) end
print(#kube.apply(table.concat(docs, "---\n"), { field_manager = "bench" }))
LUA

# curl: the same PATCHes (the manifest files as the bodies, apply-patch+yaml) from one process,
# one config file section per object; they reuse one connection.
printf 'Authorization: Bearer %s\n' "$UNIDESK_KUBE_ADMIN_TOKEN" >"$tmp/auth.header"
chmod 0600 "$tmp/auth.header"
for f in "$work/manifests"/*.yaml; do
    [[ "$f" == "$work/manifests/$(printf 'bench-%03d' 1).yaml" ]] || echo "next"
    printf 'noproxy = "*"\nurl = "%s/api/v1/namespaces/%s/configmaps/%s?fieldManager=bench"\nrequest = "PATCH"\n' \
        "$UNIDESK_KUBE_SERVER" "$NS" "$(basename "$f" .yaml)"
    printf 'cacert = "%s"\nheader = "@%s"\nheader = "Content-Type: application/apply-patch+yaml"\n' "$UNIDESK_KUBE_CA" "$tmp/auth.header"
    printf 'data-binary = "@%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%{time_total}\\n"\n' "$f"
done >"$tmp/curl.cfg"

# clear.sh [cold]: deletes the benchmark's ConfigMaps (one DELETE of the collection by label,
# not kube-root-ca.crt); with `cold`, also kubectl's discovery cache for the cold runs.
# cold-only: just the cache.
cat >"$tmp/clear.sh" <<SH
set -euo pipefail
if [[ "\${1:-}" != cold-only ]]; then
    curl -sSf --noproxy '*' --cacert $UNIDESK_KUBE_CA -H @$tmp/auth.header -X DELETE -o /dev/null \\
        "$UNIDESK_KUBE_SERVER/api/v1/namespaces/$NS/configmaps?labelSelector=app.kubernetes.io%2Fpart-of%3Dunidesk-bench"
fi
if [[ "\${1:-}" == cold* ]]; then rm -rf $tmp/kcache-cold; fi
SH
cat >"$tmp/loop.sh" <<SH
for f in $work/manifests/*.yaml; do
    $kubectl --kubeconfig $KUBECONFIG --cache-dir $tmp/kcache apply --server-side --field-manager=bench -f "\$f" >/dev/null
done
SH

# kube.apply's description in the binary measured (`unidesk doc`): whether it sends objects concurrently.
"$UNIDESK_BIN" doc --out "$tmp/doc" >/dev/null
apply_summary="$(sed -n '/^## `unidesk.kube.apply/{n;n;p;q}' "$tmp/doc/docs/reference/kube.md")"
[[ -n "$apply_summary" ]] || { echo "scripts/bench kube: no kube.apply in the output of unidesk doc" >&2; exit 1; }

unidesk_file="$ud run $work/apply.lua --allow 'kube.*' --no-color"
unidesk_multi="$ud run $work/apply-multidoc.lua --allow 'kube.*' --no-color"
kubectl_dir() { echo "$kubectl --kubeconfig $KUBECONFIG --cache-dir $tmp/$1 apply --server-side --field-manager=bench $2-f $work/manifests/"; }
kubectl_warm="$(kubectl_dir kcache "")"
kubectl_cold="$(kubectl_dir kcache-cold "")"
kubectl_noval="$(kubectl_dir kcache "--validate=false ")"
curl_seq="curl -s -K $tmp/curl.cfg"
curl_par="curl -s --parallel --parallel-max 8 -K $tmp/curl.cfg"
loop="bash $tmp/loop.sh"

# ---- correct before timed ------------------------------------------------------------------
state() { # name, data and managers of the benchmark's ConfigMaps, sorted like expected.txt
    kc get configmaps -n "$NS" -l "$SEL" -o json --show-managed-fields | jq -r '.items[]
        | .metadata.name as $n
        | (.data | to_entries[] | "\($n)\t\(.key)\t\(.value)"),
          "\($n)\tmanagers\t\([.metadata.managedFields[] | "\(.manager)/\(.operation)"] | sort | join(","))"' | sort
}
versions() { kc get configmaps -n "$NS" -l "$SEL" -o json | jq -r '[.items[] | .metadata.name + "=" + .metadata.resourceVersion] | sort | join(" ")'; }
count() { kc get configmaps -n "$NS" -l "$SEL" -o name | wc -l; }
expect_state() { # WHAT
    if ! state | diff -q - "$tmp/expected.txt" >/dev/null; then
        echo "scripts/bench kube: after $1 the ConfigMaps differ from the manifests (or have other field managers):" >&2
        state | diff - "$tmp/expected.txt" | head -n 20 >&2
        exit 1
    fi
}
# check NAME COMMAND: from none of the objects, COMMAND creates all N as in the manifests with
# field manager bench; run again, it changes nothing (every resourceVersion stays).
check() {
    local name="$1" cmd="$2" rv
    bash "$tmp/clear.sh" cold
    [[ "$(count)" == 0 ]] || { echo "scripts/bench kube: clear.sh left ConfigMaps behind" >&2; exit 1; }
    if ! eval "$cmd" >"$tmp/check.out" 2>"$tmp/check.err"; then
        echo "scripts/bench kube: $name failed:" >&2; tail -n 20 "$tmp/check.err" >&2; exit 1
    fi
    expect_state "$name (creating)"
    rv="$(versions)"
    eval "$cmd" >"$tmp/check.out" 2>"$tmp/check.err" || { tail -n 20 "$tmp/check.err" >&2; exit 1; }
    expect_state "$name (re-applying)"
    [[ "$(versions)" == "$rv" ]] || { echo "scripts/bench kube: re-applying by $name changed objects" >&2; exit 1; }
}
check "unidesk, kube.apply per file" "$unidesk_file"
[[ "$(cat "$tmp/check.out")" == "$N" ]] || { echo "scripts/bench kube: apply.lua printed '$(cat "$tmp/check.out")'" >&2; exit 1; }
check "unidesk, one multi-document kube.apply" "$unidesk_multi"
[[ "$(cat "$tmp/check.out")" == "$N" ]] || { echo "scripts/bench kube: apply-multidoc.lua printed '$(cat "$tmp/check.out")'" >&2; exit 1; }
check "kubectl apply --server-side -f DIR/" "$kubectl_warm"
check "kubectl apply --server-side --validate=false -f DIR/" "$kubectl_noval"
check "kubectl apply --server-side -f DIR/ (cold cache)" "$kubectl_cold"
bash "$tmp/clear.sh"
codes="$(eval "$curl_seq" | cut -d' ' -f1 | sort | uniq -c | xargs)"
[[ "$codes" == "$N 201" ]] || { echo "scripts/bench kube: curl got '$codes', not $N 201s" >&2; exit 1; }
check "curl, one after the other" "$curl_seq"
codes="$(eval "$curl_seq" | cut -d' ' -f1 | sort | uniq -c | xargs)"
[[ "$codes" == "$N 200" ]] || { echo "scripts/bench kube: curl re-applying got '$codes', not $N 200s" >&2; exit 1; }
check "curl, 8 in flight" "$curl_par"
check "$N kubectl processes" "$loop"
echo "checked: every tool creates the $N ConfigMaps as in the manifests (field manager bench, Apply, only) and re-applying changes none" >&2

# ---- timed ---------------------------------------------------------------------------------
# kubectl's discovery cache in kcache is warm from the checks (as a CI runner's would be).
names=("unidesk, kube.apply per file" "unidesk, one multi-document kube.apply" "kubectl -f DIR/, warm cache"
    "kubectl -f DIR/, cold cache" "kubectl -f DIR/ --validate=false" "curl, one after the other" "curl, 8 in flight")
cmds=("$unidesk_file" "$unidesk_multi" "$kubectl_warm" "$kubectl_cold" "$kubectl_noval" "$curl_seq" "$curl_par")
timed() { # OUT PREPARE-FOR-ALL PREPARE-FOR-COLD
    local args=() i
    for i in "${!cmds[@]}"; do
        if ((i == 3)); then args+=(--prepare "$3"); else args+=(--prepare "$2"); fi
    done
    for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
    hyperfine_rounds "$1" "$BENCH_RUNS" "$BENCH_WARMUP" "${args[@]}"
}
echo "==> creating: every run starts with none of the $N ConfigMaps" >&2
timed "$tmp/create.json" "bash $tmp/clear.sh" "bash $tmp/clear.sh cold"
expect_state "the timed creating runs"
echo "==> re-applying: every run finds the $N ConfigMaps as in the manifests" >&2
timed "$tmp/reapply.json" "true" "bash $tmp/clear.sh cold-only"
expect_state "the timed re-applying runs"
echo "==> $N kubectl processes" >&2
BENCH_ROUNDS=1 hyperfine_rounds "$tmp/loop.json" "$LOOP_RUNS" 0 \
    --prepare "bash $tmp/clear.sh" --prepare "true" \
    -n "$N kubectl processes, creating" "$loop" -n "$N kubectl processes, re-applying" "$loop"
expect_state "the timed kubectl loops"

# ---- where the time goes ---------------------------------------------------------------------
# SPLIT_RUNS more creating runs of some commands, each with: wall time, CPU time of the API
# server and etcd during the run (/proc/PID/stat), and the time the client spent in its requests
# by its own account: unidesk's --report (the audit's duration_ms of the kube.apply calls; the
# run's duration_ms), kubectl's -v=6 log (each request's "in N milliseconds"), curl's
# %{time_total}. Mean over the runs, in ms: "wall server requests nrequests run".
tck="$(getconf CLK_TCK)"
server_ticks() { awk '{ s += $14 + $15 } END { print s }' "/proc/$(cat "$UNIDESK_KUBE_BASE/pids/kube-apiserver.pid")/stat" "/proc/$(cat "$UNIDESK_KUBE_BASE/pids/etcd.pid")/stat"; }
breakdown() { # KIND COMMAND
    local kind="$1" cmd="$2" r t0 t1 c0 c1 account runs=()
    for ((r = 0; r < SPLIT_RUNS; r++)); do
        bash "$tmp/clear.sh"
        c0="$(server_ticks)"; t0="$(date +%s%N)"
        eval "$cmd" >"$tmp/split.out" 2>"$tmp/split.err"
        t1="$(date +%s%N)"; c1="$(server_ticks)"
        case "$kind" in
        unidesk) account="$tmp/report.json" ;;
        kubectl) account="$tmp/split.err" ;;
        curl) account="$tmp/split.out" ;;
        esac
        runs+=("$(((t1 - t0) / 1000)) $((c1 - c0)) $(benchlib kube-requests "$kind" "$account")")
    done
    benchlib kube-breakdown "$tck" "${runs[@]}"
}
echo "==> where the time goes ($SPLIT_RUNS creating runs each)" >&2
splits=()
splits+=("$(breakdown unidesk "$unidesk_file --report $tmp/report.json")")
splits+=("$(breakdown unidesk "$unidesk_multi --report $tmp/report.json")")
splits+=("$(breakdown kubectl "$kubectl_warm -v=6")")
splits+=("$(breakdown kubectl "$kubectl_noval -v=6")")
splits+=("$(breakdown curl "$curl_seq")")
splits+=("$(breakdown curl "$curl_par")")
printf '%s\n' "${splits[@]}" >"$tmp/splits.txt"   # one line per command, in benchlib's KUBE_SPLIT_NAMES order
expect_state "the breakdown runs"
OTHERS_END="$(other_processes)"

# ---- figures ---------------------------------------------------------------------------------
# The tables, ratios, verdicts and the analysis are benchlib's (kube-table, kube-loop-table,
# kube-split-table, kube-reading).
runs="$(runs_of "$tmp/create.json")"
loop_runs="$(runs_of "$tmp/loop.json")"
{
    echo "## Kubernetes: server-side apply of $N ConfigMaps, unidesk vs kubectl"
    echo
    echo "_Written by \`scripts/bench kube\`; do not edit between the markers._"
    echo
    machine_markdown
    busy_warning
    echo "- Other processes using ≥ 5 % of a CPU (\`top\` over 1 s): at the start: $OTHERS_START; at the end: $OTHERS_END"
    echo "- Versions: $("$UNIDESK_BIN" version) built from $(source_revision); kubectl $("$kubectl" version --client -o json | jq -r .clientVersion.gitVersion); $(curl --version | head -n1 | cut -d' ' -f1-2); server Kubernetes $UNIDESK_KUBE_VERSION (kube-apiserver built by \`scripts/stack/kube-build\`, etcd $(/usr/bin/etcd --version 2>/dev/null | sed -n 's/^etcd Version: //p'))"
    echo "- Reproduce: \`scripts/bench kube\` (defaults \`BENCH_RUNS=15 BENCH_ROUNDS=5 BENCH_WARMUP=2 BENCH_KUBE_LOOP_RUNS=3 BENCH_KUBE_SPLIT_RUNS=3\`, this run \`BENCH_RUNS=$BENCH_RUNS BENCH_ROUNDS=${BENCH_ROUNDS:-5} BENCH_WARMUP=$BENCH_WARMUP BENCH_KUBE_LOOP_RUNS=$LOOP_RUNS BENCH_KUBE_SPLIT_RUNS=$SPLIT_RUNS\`)"
    echo "- Server: a private Kubernetes API started for the benchmark by \`scripts/stack/kube-up\` (etcd, kube-apiserver with RBAC, kube-controller-manager) on 127.0.0.1:$UNIDESK_KUBE_PORT and stopped at the end, on the same $(nproc) CPUs as the clients. Every tool authenticates with the same admin bearer token over TLS (the kubeconfig \`admin-token\`)."
    echo
    echo "$N ConfigMaps \`bench-001\`… in namespace \`$NS\`, one manifest file each (a label and 5 data keys of 100 bytes; $manifest_bytes bytes of YAML in all), generated by \`scripts/bench.d/kube.sh\`. Every command applies them with server-side apply and field manager \`bench\`:"
    echo
    echo "- **unidesk, kube.apply per file**: \`KUBECONFIG=admin-token unidesk run apply.lua --allow 'kube.*' --no-color\`, the recipe \`for _, name in ipairs(fs.list(\"manifests\")) do kube.apply(fs.read(\"manifests/\" .. name), { field_manager = \"bench\" }) end\`: $N \`kube.apply\` calls, each gated, audited and printed as a \`[write]\` line."
    echo "- **unidesk, one multi-document kube.apply**: the same files joined with \`---\` and applied by one \`kube.apply(text, { field_manager = \"bench\" })\`, which still sends one PATCH (and gate check, audit record and \`[write]\` line) per object. The binary measured describes \`kube.apply\` as: _${apply_summary}_"
    echo "- **kubectl -f DIR/**: \`kubectl --kubeconfig admin-token --cache-dir CACHE apply --server-side --field-manager=bench -f manifests/\`, one process. _Warm cache_: CACHE holds the discovery cache of an earlier run, as on a CI runner that keeps \`~/.kube/cache\`; _cold cache_: CACHE is removed before each run, so kubectl first reads the server's discovery (40 GETs against this 1.20 server)."
    echo "- **$N kubectl processes**: a shell loop of \`kubectl … apply --server-side --field-manager=bench -f FILE\`, warm cache."
    echo "- References, not targets: **kubectl --validate=false** (the warm single process without its client-side schema validation); **curl, one after the other**: one \`curl -K\` process sending the same $N PATCHes (\`application/apply-patch+yaml\`, the manifest files as bodies) one after the other over one reused connection, the floor for a client that applies one object at a time; **curl, 8 in flight**: the same with \`--parallel --parallel-max 8\`."
    echo
    echo "Checked before timing, for every command: from none of the objects it creates all $N, the server then holds exactly the manifests' data and each object's \`managedFields\` has the one entry \`bench\`/\`Apply\` (\`kubectl get -o json --show-managed-fields | jq\`); running it again changes no object (every \`resourceVersion\` stays); curl gets $N 201s, then $N 200s. The state is checked again after each timed phase. _Creating_: before every run one DELETE of the collection (by label) removes the $N objects, so every run creates them (201). _Re-applying_: every run finds them as in the manifests and the server writes nothing (200). $runs runs of each command after $BENCH_WARMUP warm-up runs, in ${BENCH_ROUNDS:-5} consecutive \`hyperfine -N\` rounds that each time all seven; the $N-process loop $loop_runs runs, no warm-up. Wall times include process start-up. Ratio = this command's time / the warm single kubectl's (target for unidesk ≤ 0.5); ± is the sd of the ratio from the two sds, _medians_ the ratio of the median runs, _fastest_ that of the fastest runs; on a busy machine the medians are the steadier figure."
    echo
    echo "### Creating $N ConfigMaps"
    echo
    benchlib kube-table "$tmp/create.json" "$N" "${names[@]}"
    echo
    echo "### Re-applying $N unchanged ConfigMaps"
    echo
    benchlib kube-table "$tmp/reapply.json" "$N" "${names[@]}"
    echo
    echo "### $N kubectl processes"
    echo
    benchlib kube-loop-table "$tmp/loop.json" "$tmp/create.json" "$tmp/reapply.json" "$N"
    echo
    echo "### Where the time goes"
    echo
    echo "$SPLIT_RUNS more creating runs of each command, means: the run's wall time; the CPU time the API server and etcd used meanwhile (\`/proc/PID/stat\`); the time the client spent in its requests by its own account (unidesk: the \`duration_ms\` of the \`kube.apply\` records of \`--report\`, which include encoding the object and the gate; kubectl: the sum of the \`in N milliseconds\` of its \`-v=6\` log, all requests; curl: \`%{time_total}\`); unidesk's own run time (the report's \`duration_ms\`, its \`ok in …\`); and the rest of the wall time, outside the requests: process start-up, reading and parsing the files, the client's own work."
    echo
    benchlib kube-split-table "$tmp/splits.txt"
    echo
    echo "### Reading the figures"
    echo
    benchlib kube-reading "$tmp/create.json" "$tmp/reapply.json" "$tmp/loop.json" "$tmp/splits.txt" "$N" "$(nproc)" "$apply_summary"
} >"$BENCH_SECTION"

cat "$BENCH_SECTION"
