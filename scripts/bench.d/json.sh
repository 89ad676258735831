# Benchmark `json`: json.decode of a generated 17 MB document (60,000 records) under
# `unidesk run`, against lua-cjson under lua5.4 and python3's json module, then json.encode
# of the decoded document against cjson.encode and json.dumps: wall time and peak resident
# memory of the whole process.
# Run through scripts/bench, which sets ROOT, UNIDESK_BIN, BENCH_RUNS, BENCH_WARMUP and
# BENCH_SECTION (the file that receives this benchmark's markdown).
# needs: lua5.4:lua5.4 python3:python3 /usr/bin/time:time
set -euo pipefail
source "$ROOT/scripts/bench.d/lib.sh"

RECORDS="${BENCH_JSON_RECORDS:-60000}"
BENCH_ROUNDS="${BENCH_ROUNDS:-5}"
RSS_RUNS="${BENCH_JSON_RSS_RUNS:-3}"

# lua-cjson is a Lua module, not a command: `# needs:` cannot check it.
if ! lua5.4 -e 'require "cjson"' >/dev/null 2>&1; then
    echo "scripts/bench: the Lua module 'cjson' is missing; install it with:" >&2
    echo "    apt-get install -y lua-cjson" >&2
    exit 2
fi

BENCH_LOAD_START="$(load_average)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# The document: deterministic (a fixed-seed generator, no clock, no randomness from the
# system), shaped like API listings: nested objects, arrays, integers, floats, booleans,
# null, escapes and non-ASCII text. ~290 bytes a record.
python3 - "$RECORDS" >big.json <<'EOF'
import json, random, sys
n = int(sys.argv[1])
rng = random.Random(21)
words = ["alpha", "beta", "gamma", "delta", "café", "naïve", "東京", "quote\"d", "tab\there", "line\nbreak"]
records = []
for i in range(n):
    records.append({
        "id": i,
        "kind": "Item",
        "name": f"item-{i:06d}",
        "owner": {"login": rng.choice(words), "uid": rng.randrange(1, 2**40), "admin": rng.random() < 0.1},
        "price": round(rng.uniform(0, 10000), 2),
        "ratio": rng.random(),
        "tags": [rng.choice(words) for _ in range(rng.randrange(0, 5))],
        "labels": {"tier": rng.choice(["web", "db", "cache"]), "zone": f"z{rng.randrange(1, 9)}"},
        "deleted": None if rng.random() < 0.7 else rng.random() < 0.5,
        "note": rng.choice(words) * rng.randrange(1, 4),
    })
json.dump(records, sys.stdout, ensure_ascii=False, separators=(", ", ": "))
EOF
size="$(stat -c %s big.json)"

# Each decoder prints the number of records and the sum of their ids: the check before timing.
# (lua-cjson decodes every number as a float, hence the %d.)
cat >recipe.lua <<'EOF'
local json = require "unidesk.json"
local fs = require "unidesk.fs"
local doc = json.decode(fs.read("big.json"))
local sum = 0
for i = 1, #doc do sum = sum + doc[i].id end
print(string.format("%d\t%d", #doc, sum))
EOF
cat >read.lua <<'EOF'
local fs = require "unidesk.fs"
local text = fs.read("big.json")
print(#text)
EOF
cat >decode-cjson.lua <<'EOF'
local f = assert(io.open("big.json", "rb"))
local text = f:read("a")
f:close()
local doc = require("cjson").decode(text)
local sum = 0
for i = 1, #doc do sum = sum + doc[i].id end
print(string.format("%d\t%d", #doc, sum))
EOF
cat >py.py <<'EOF'
import json
with open("big.json", "rb") as f:
    doc = json.load(f)
print(f"{len(doc)}\t{sum(r['id'] for r in doc)}")
EOF

# Encoding: each decodes the document once, then encodes it whole. The timed scripts print
# the length of the text; the check scripts (the same, then a decode of the text) print
# the number of records and the sum of their ids. python3 sorts keys and writes compact
# UTF-8, as json.encode does; lua-cjson neither sorts keys nor keeps more than 14 digits
# of a float (its defaults), so it does less.
encode_body() {
    case "$1" in
        unidesk) cat <<'EOF'
local json = require "unidesk.json"
local fs = require "unidesk.fs"
local doc = json.decode(fs.read("big.json"))
local text = json.encode(doc)
EOF
        ;;
        cjson) cat <<'EOF'
local cjson = require "cjson"
local f = assert(io.open("big.json", "rb"))
local doc = cjson.decode(f:read("a"))
f:close()
local text = cjson.encode(doc)
EOF
        ;;
    esac
}
check_tail() {
    cat <<EOF
local back = $1.decode(text)
local sum = 0
for i = 1, #back do sum = sum + back[i].id end
print(string.format("%d\t%d", #back, sum))
EOF
}
{ encode_body unidesk; echo 'print(#text)'; } >encode.lua
{ encode_body unidesk; echo 'io.write(text)'; } >encode-text.lua
{ encode_body unidesk; check_tail json; } >encode-check.lua
{ encode_body cjson; echo 'print(#text)'; } >encode-cjson.lua
{ encode_body cjson; check_tail cjson; } >encode-cjson-check.lua
cat >encode-py.py <<'EOF'
import json, sys
with open("big.json", "rb") as f:
    doc = json.load(f)
if sys.argv[1:] == ["text"]:
    # What json.encode writes: a Lua table does not tell an empty array from an empty
    # object, and json.encode writes {} for both.
    def lua_shaped(v):
        if isinstance(v, list): return [lua_shaped(x) for x in v] if v else {}
        if isinstance(v, dict): return {k: lua_shaped(x) for k, x in v.items()}
        return v
    doc = lua_shaped(doc)
text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
if sys.argv[1:] == ["check"]:
    back = json.loads(text)
    print(f"{len(back)}\t{sum(r['id'] for r in back)}")
elif sys.argv[1:] == ["text"]:
    sys.stdout.write(text)
else:
    print(len(text))
EOF

ud="$(printf '%q' "$UNIDESK_BIN")"
expected="$RECORDS	$((RECORDS * (RECORDS - 1) / 2))"
# expect_from_each WHAT RECIPE CJSON-SCRIPT PYTHON-ARGS...: unidesk running RECIPE, lua5.4
# running CJSON-SCRIPT and python3 with PYTHON-ARGS each print "$expected", or the benchmark stops.
expect_from_each() {
    local what="$1" recipe="$2" cjson="$3" runner out
    shift 3
    for runner in unidesk cjson python; do
        case "$runner" in
            unidesk) out="$("$UNIDESK_BIN" run "$recipe" --no-color 2>"$tmp/err")" || { cat "$tmp/err" >&2; exit 1; } ;;
            cjson) out="$(lua5.4 "$cjson")" ;;
            python) out="$(python3 "$@")" ;;
        esac
        if [[ "$out" != "$expected" ]]; then
            echo "scripts/bench json: $runner$what '$out', expected '$expected' (records, sum of ids)" >&2
            exit 1
        fi
    done
}
expect_from_each " printed" recipe.lua decode-cjson.lua py.py
echo "checks pass: unidesk, lua-cjson and python3 decode $RECORDS records with the same ids" >&2
expect_from_each "'s encoded text decodes to" encode-check.lua encode-cjson-check.lua encode-py.py check
# Keys sorted, compact, UTF-8, shortest round-trip floats: for this document json.encode's
# text is python's byte for byte, once python's empty arrays are made {} as in Lua.
"$UNIDESK_BIN" run encode-text.lua --no-color >encoded-unidesk.json 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
python3 encode-py.py text >encoded-python.json
if ! cmp -s encoded-unidesk.json encoded-python.json; then
    echo "scripts/bench json: json.encode's text differs from python3's json.dumps (sorted, compact, [] as {}): $(cmp encoded-unidesk.json encoded-python.json 2>&1 | head -n1)" >&2
    exit 1
fi
encoded_size="$(stat -c %s encoded-unidesk.json)"
rm -f encoded-unidesk.json encoded-python.json
echo "checks pass: the three encoded texts decode back to $RECORDS records with the same ids; json.encode's is python3's byte for byte ([] as {})" >&2

hyperfine_rounds "$tmp/json.json" "$BENCH_RUNS" "$BENCH_WARMUP" \
    -n "unidesk json.decode" "$ud run recipe.lua --no-color" \
    -n "lua5.4 + lua-cjson" "lua5.4 decode-cjson.lua" \
    -n "python3 json.load" "python3 py.py" \
    -n "unidesk fs.read only" "$ud run read.lua --no-color"

# The decode-only commands are timed again beside the encode ones: "encode alone" is the
# difference of two rows of the same invocations.
hyperfine_rounds "$tmp/encode.json" "$BENCH_RUNS" "$BENCH_WARMUP" \
    -n "unidesk json.decode + json.encode" "$ud run encode.lua --no-color" \
    -n "lua5.4 + lua-cjson decode + encode" "lua5.4 encode-cjson.lua" \
    -n "python3 json.load + json.dumps" "python3 encode-py.py" \
    -n "unidesk json.decode" "$ud run recipe.lua --no-color" \
    -n "lua5.4 + lua-cjson decode" "lua5.4 decode-cjson.lua" \
    -n "python3 json.load" "python3 py.py"

# Peak RSS (GNU time's %M, KiB): the largest of RSS_RUNS runs of each command.
peak() {
    local best=0 kib i
    for ((i = 0; i < RSS_RUNS; i++)); do
        /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1
        kib="$(tail -n1 "$tmp/rss")"
        ((kib > best)) && best="$kib"
    done
    echo "$best"
}
rss=("$(peak "$UNIDESK_BIN" run recipe.lua --no-color)" "$(peak lua5.4 decode-cjson.lua)" "$(peak python3 py.py)" "$(peak "$UNIDESK_BIN" run read.lua --no-color)")
encode_rss=("$(peak "$UNIDESK_BIN" run encode.lua --no-color)" "$(peak lua5.4 encode-cjson.lua)" "$(peak python3 encode-py.py)")

table() {
    local mean0 mean1 sd min i mean
    mean1="$(hyperfine_stat "$tmp/json.json" 1 mean)"
    echo "| command | mean ± sd | fastest | CPU (user + sys) | time vs lua-cjson | peak RSS | RSS vs lua-cjson |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    for i in 0 1 2 3; do
        mean="$(hyperfine_stat "$tmp/json.json" $i mean)"
        sd="$(hyperfine_stat "$tmp/json.json" $i stddev)"
        min="$(hyperfine_stat "$tmp/json.json" $i min)"
        printf '| %s | %s | %s | %s | %s× | %s MiB | %s× |\n' \
            "$(jq -r ".results[$i].command" "$tmp/json.json")" "$(fmt_time "$mean" "$sd")" "$(fmt_time "$min" 0 | sed 's/ ±.*//')" \
            "$(fmt_time "$(cpu_time "$tmp/json.json" $i)" 0 | sed 's/ ±.*//')" \
            "$(awk -v a="$mean" -v b="$mean1" 'BEGIN { printf "%.2f", a / b }')" \
            "$(awk -v k="${rss[$i]}" 'BEGIN { printf "%.0f", k / 1024 }')" \
            "$(awk -v a="${rss[$i]}" -v b="${rss[1]}" 'BEGIN { printf "%.2f", a / b }')"
    done
}
verdict() {
    awk -v t="$(hyperfine_stat "$tmp/json.json" 0 mean)" -v tc="$(hyperfine_stat "$tmp/json.json" 1 mean)" \
        -v m="${rss[0]}" -v mc="${rss[1]}" 'BEGIN {
        printf "Targets (issue 21), against lua-cjson: time ≤ 1.2×, here %.2f× (%s); peak RSS ≤ 1.5×, here %.2f× (%s).\n",
            t / tc, t / tc <= 1.2 ? "met" : "not met", m / mc, m / mc <= 1.5 ? "met" : "not met" }'
}
# The encode rows: the whole process, and encode alone (the row's mean minus its decoder's,
# 3 rows below it in the same invocations).
encode_alone() {
    awk -v a="$(hyperfine_stat "$tmp/encode.json" "$1" mean)" -v b="$(hyperfine_stat "$tmp/encode.json" $(($1 + 3)) mean)" 'BEGIN { print a - b }'
}
encode_table() {
    local mean sd min i alone alone1
    alone1="$(encode_alone 1)"
    echo "| command | mean ± sd | fastest | CPU (user + sys) | encode alone | encode alone vs lua-cjson | peak RSS | RSS vs lua-cjson |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
    for i in 0 1 2; do
        mean="$(hyperfine_stat "$tmp/encode.json" $i mean)"
        sd="$(hyperfine_stat "$tmp/encode.json" $i stddev)"
        min="$(hyperfine_stat "$tmp/encode.json" $i min)"
        alone="$(encode_alone $i)"
        printf '| %s | %s | %s | %s | %s | %s× | %s MiB | %s× |\n' \
            "$(jq -r ".results[$i].command" "$tmp/encode.json")" "$(fmt_time "$mean" "$sd")" "$(fmt_time "$min" 0 | sed 's/ ±.*//')" \
            "$(fmt_time "$(cpu_time "$tmp/encode.json" $i)" 0 | sed 's/ ±.*//')" \
            "$(fmt_time "$alone" 0 | sed 's/ ±.*//')" \
            "$(awk -v a="$alone" -v b="$alone1" 'BEGIN { printf "%.2f", a / b }')" \
            "$(awk -v k="${encode_rss[$i]}" 'BEGIN { printf "%.0f", k / 1024 }')" \
            "$(awk -v a="${encode_rss[$i]}" -v b="${encode_rss[1]}" 'BEGIN { printf "%.2f", a / b }')"
    done
}
encode_verdict() {
    awk -v a="$(encode_alone 0)" -v c="$(encode_alone 1)" -v m="${encode_rss[0]}" -v mc="${encode_rss[1]}" 'BEGIN {
        printf "Targets (issue 21: encode likewise), against lua-cjson: encode time ≤ 1.2×, here %.2f× (%s; encode alone, from the means); peak RSS ≤ 1.5×, here %.2f× (%s).\n",
            a / c, a / c <= 1.2 ? "met" : "not met", m / mc, m / mc <= 1.5 ? "met" : "not met" }'
}
table_text="$(table)"
verdict_text="$(verdict)"
encode_table_text="$(encode_table)"
encode_verdict_text="$(encode_verdict)"

{
    echo "## JSON: json.decode and json.encode of a $(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }') MB document, unidesk vs lua-cjson and python3"
    echo
    echo "_Written by \`scripts/bench json\`; do not edit between the markers (notes go after the end marker)._"
    echo
    machine_markdown
    busy_warning
    echo "- Versions: $("$UNIDESK_BIN" version) built from $(source_revision); $(lua5.4 -v 2>&1 | awk 'NR == 1 { print $1, $2 }') with lua-cjson $(dpkg-query -W -f '${Version}' lua-cjson 2>/dev/null || echo '?'); $(python3 --version 2>&1)"
    echo "- Reproduce: \`scripts/bench json\` (from the repository root; defaults \`BENCH_RUNS=15 BENCH_ROUNDS=5 BENCH_WARMUP=2 BENCH_JSON_RECORDS=60000 BENCH_JSON_RSS_RUNS=3\`, this run \`BENCH_RUNS=$BENCH_RUNS BENCH_ROUNDS=$BENCH_ROUNDS BENCH_WARMUP=$BENCH_WARMUP BENCH_JSON_RECORDS=$RECORDS BENCH_JSON_RSS_RUNS=$RSS_RUNS\`)"
    echo "- Document: $RECORDS records, $size bytes, generated by the script with a fixed seed (nested objects, arrays, integers up to 2^40, floats, booleans, null, escapes, non-ASCII text)."
    echo "- Method: each command reads the file and decodes it whole, then prints the number of records and the sum of their ids, checked equal for all three before timing. $(runs_of "$tmp/json.json") runs of each after $BENCH_WARMUP warm-up runs, in $BENCH_ROUNDS consecutive \`hyperfine -N\` invocations that each time all four commands. unidesk: \`unidesk run recipe.lua --no-color\` with \`json.decode(fs.read(\"big.json\"))\` (default limits); lua-cjson: \`lua5.4 decode-cjson.lua\` (\`io.open\`, \`read(\"a\")\`, \`cjson.decode\`); python3: \`json.load\` of the file opened in binary. \"unidesk fs.read only\" reads the file without decoding it: the part of the unidesk row that is not json.decode. Peak RSS: GNU time's maximum resident set size, the largest of $RSS_RUNS runs of each command."
    echo
    echo "$table_text"
    echo
    echo "$verdict_text"
    echo
    echo "### Encoding the decoded document"
    echo
    echo "- Method: each command decodes the document as above, then encodes it whole into one string and prints its length. unidesk: \`json.encode(doc)\` (keys sorted, compact; $encoded_size bytes); lua-cjson: \`cjson.encode(doc)\` (its defaults: keys not sorted, floats to 14 significant digits: less work); python3: \`json.dumps(doc, ensure_ascii=False, separators=(\",\", \":\"), sort_keys=True)\`. Checked before timing: each text decodes back, by the same tool, to the same record count and sum of ids, and unidesk's text is byte for byte what python3's \`json.dumps\` (sorted, compact) writes of the document with its empty arrays made \`{}\` (a Lua table does not tell them apart). The three decode-only commands are timed again in the same \`hyperfine\` invocations (their rows are not shown); \"encode alone\" is a command's mean minus its decoder's mean there. $(runs_of "$tmp/encode.json") runs of each after $BENCH_WARMUP warm-up runs, in $BENCH_ROUNDS consecutive \`hyperfine -N\` invocations that each time all six commands. Peak RSS: of the decode + encode process, measured as above."
    echo
    echo "$encode_table_text"
    echo
    echo "$encode_verdict_text"
} >"$BENCH_SECTION"

echo
echo "$table_text"
echo
echo "$verdict_text"
echo
echo "$encode_table_text"
echo
echo "$encode_verdict_text"
