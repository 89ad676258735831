# Benchmark `pg`: PostgreSQL through unidesk.pg and unidesk.migrate versus psql.
#  1. 10,000 parameterised INSERTs in one transaction (conn:tx + c:exec with $1, $2, $3)
#     versus `psql -f` of the same 10,000 INSERTs as literals between BEGIN and COMMIT.
#  1b. the same rows through one conn:exec_many (libpq pipeline mode) versus the same psql -f.
#  2. migrate.smoke of 200 generated migrations (each applied, reverted and applied again as
#     the app role on a scratch database) versus shell-script gates built on psql.
# Starts and stops its own PostgreSQL 15 (scripts/stack/pg-up) on 127.0.0.1:$BENCH_PG_PORT
# (default 55442, not the tests' 55432). Run through scripts/bench, which sets ROOT,
# UNIDESK_BIN, BENCH_RUNS, BENCH_WARMUP and BENCH_SECTION.
#   BENCH_PG_ROWS        inserted rows (default 10000)
#   BENCH_PG_MIGRATIONS  generated migrations (default 200)
#   BENCH_PG_SMOKE_RUNS  timed runs per gate command (default 3, after 1 warm-up run)
# needs: psql:postgresql-client-15 top:procps
set -euo pipefail
source "$ROOT/scripts/bench.d/lib.sh"

ROWS="${BENCH_PG_ROWS:-10000}"
MIGRATIONS="${BENCH_PG_MIGRATIONS:-200}"
SMOKE_RUNS="${BENCH_PG_SMOKE_RUNS:-3}"

BENCH_LOAD_START="$(load_average)"
OTHERS_START="$(other_processes)"
# The caller's libpq settings (PGHOST, PGPASSFILE, ...) must not reach psql or unidesk.
for v in $(compgen -e); do case "$v" in PG*) unset "$v" ;; esac; done

tmp="$(mktemp -d)"
export UNIDESK_STACK_DIR="$tmp/stack" UNIDESK_PG_PORT="${BENCH_PG_PORT:-55442}"
trap '"$ROOT/scripts/stack/pg-down" --quiet >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
"$ROOT/scripts/stack/pg-up" >&2
# shellcheck disable=SC1091
source "$UNIDESK_STACK_DIR/pg/env.sh"

# The real client, not Debian's /usr/bin/psql (a Perl wrapper that costs ~30 ms per start).
psql="$UNIDESK_PG_BIN/psql"
export DSN="$UNIDESK_PG_ADMIN_DSN"   # a superuser, over TCP with its password (SCRAM-SHA-256)
base="postgresql://$UNIDESK_PG_ADMIN_USER:$UNIDESK_PG_ADMIN_PASSWORD@$UNIDESK_PG_HOST:$UNIDESK_PG_PORT"
sql() { "$psql" -X -q -At -v ON_ERROR_STOP=1 -d "$DSN" "$@"; }
ud="$(printf '%q' "$UNIDESK_BIN")"
run_flags="--no-color --secret-env DSN --allow 'pg.*'"

# ---- 1. inserts ------------------------------------------------------------------------
ins="$tmp/inserts"
mkdir -p "$ins"
table_ddl="CREATE TABLE IF NOT EXISTS bench_rows (id integer PRIMARY KEY, name text NOT NULL, score double precision NOT NULL)"
# Both commands send the same statements: CREATE TABLE IF NOT EXISTS, TRUNCATE, BEGIN, the
# INSERTs, COMMIT; so every run starts from an empty table.
cat >"$ins/inserts.lua" <<LUA
local pg = require "unidesk.pg"
local n = $ROWS
local conn = pg.connect(unidesk.env("DSN"))
assert(conn:exec("$table_ddl"))
assert(conn:exec("TRUNCATE bench_rows"))
assert(conn:tx(function(c)
  for i = 1, n do
    assert(c:exec("INSERT INTO bench_rows (id, name, score) VALUES (\$1, \$2, \$3)", { i, "name-" .. i, i * 0.5 }))
  end
  return true
end))
conn:close()
LUA
# The batch: the same statement and values, one conn:exec_many of all the rows (one gated
# call, sent through libpq's pipeline mode: one round trip instead of one per row).
cat >"$ins/batch.lua" <<LUA
local pg = require "unidesk.pg"
local n = $ROWS
local conn = pg.connect(unidesk.env("DSN"))
assert(conn:exec("$table_ddl"))
assert(conn:exec("TRUNCATE bench_rows"))
local rows = {}
for i = 1, n do rows[i] = { i, "name-" .. i, i * 0.5 } end
local r = assert(conn:exec_many("INSERT INTO bench_rows (id, name, score) VALUES (\$1, \$2, \$3)", rows))
assert(r.affected == n, "inserted " .. r.affected .. " rows, not " .. n)
conn:close()
LUA
awk -v n="$ROWS" -v ddl="$table_ddl" 'BEGIN {
    print ddl ";"; print "TRUNCATE bench_rows;"; print "BEGIN;"
    for (i = 1; i <= n; i++) printf "INSERT INTO bench_rows (id, name, score) VALUES (%d, '\''name-%d'\'', %.1f);\n", i, i, i * 0.5
    print "COMMIT;" }' >"$ins/inserts.sql"

unidesk_ins="$ud run $ins/inserts.lua $run_flags"
unidesk_batch="$ud run $ins/batch.lua $run_flags"
psql_ins="$psql -X -q -v ON_ERROR_STOP=1 -d $DSN -f $ins/inserts.sql"
checksum() { sql -c "SELECT count(*) || ' rows, ' || sum(score) || ', ' || md5(string_agg(id || ':' || name || ':' || score, ',' ORDER BY id)) FROM bench_rows"; }
expected_sum="$(awk -v n="$ROWS" 'BEGIN { printf "%d", n * (n + 1) / 4 }')"

# Correct before timed: each tool alone leaves exactly the same ROWS rows.
eval "$psql_ins" 2>/dev/null
psql_sum="$(checksum)"
sql -c "TRUNCATE bench_rows"
if ! eval "$unidesk_ins" >"$ins/unidesk.out" 2>"$ins/unidesk.err"; then
    echo "scripts/bench pg: the unidesk insert recipe failed:" >&2
    tail -n 20 "$ins/unidesk.err" >&2
    exit 1
fi
unidesk_sum="$(checksum)"
if [[ "$psql_sum" != "$unidesk_sum" || "$psql_sum" != "$ROWS rows, $expected_sum, "* ]]; then
    echo "scripts/bench pg: different tables after psql ($psql_sum) and unidesk ($unidesk_sum); expected $ROWS rows, sum $expected_sum" >&2
    exit 1
fi
sql -c "TRUNCATE bench_rows"
if ! eval "$unidesk_batch" >"$ins/batch.out" 2>"$ins/batch.err"; then
    echo "scripts/bench pg: the unidesk batch recipe failed:" >&2
    tail -n 20 "$ins/batch.err" >&2
    exit 1
fi
batch_sum="$(checksum)"
[[ "$batch_sum" == "$psql_sum" ]] || { echo "scripts/bench pg: the batch left $batch_sum, psql $psql_sum" >&2; exit 1; }
# One summary line per batch: the bulk load prints one [write] line for all its rows.
batch_lines="$(grep -c '^\[write\] ' "$ins/batch.err" || true)"
grep -q "^\[write\] pg.exec:.* ($ROWS rows, " "$ins/batch.err" && [[ "$batch_lines" == 3 ]] || {
    echo "scripts/bench pg: the batch printed $batch_lines [write] lines, not 3 (CREATE TABLE, TRUNCATE, the batch with its $ROWS rows):" >&2
    grep '^\[write\] ' "$ins/batch.err" | head -n 5 >&2
    exit 1
}
echo "checked: psql, unidesk and unidesk's batch all leave $psql_sum; the batch printed one [write] line for $ROWS rows" >&2

# On this VM a CPU that goes idle is slow to wake, so a statement-by-statement ping-pong
# between a client and a server on two CPUs runs faster on a busy machine than on an idle
# one. Each command is therefore timed twice: as is, and with client and server pinned to
# CPU 0 (pin.sh moves the server; `taskset -c 0` the client), which measures the work.
all_cpus="0-$(($(nproc) - 1))"
cat >"$tmp/pin.sh" <<SH
# pin.sh CPUS: this benchmark's PostgreSQL (the postmaster and its processes; new backends
# inherit it) onto CPUS.
pm="\$(cat $UNIDESK_STACK_DIR/pg/pids/postgres.pid)"
for p in \$pm \$(ps -o pid= --ppid "\$pm"); do taskset -a -p -c "\$1" "\$p" >/dev/null 2>&1 || true; done
SH
hyperfine_rounds "$tmp/inserts.json" "$BENCH_RUNS" "$BENCH_WARMUP" \
    --prepare "bash $tmp/pin.sh $all_cpus" --prepare "bash $tmp/pin.sh $all_cpus" \
    --prepare "bash $tmp/pin.sh 0" --prepare "bash $tmp/pin.sh 0" \
    -n "unidesk conn:tx + c:exec" "$unidesk_ins" \
    -n "psql -f" "$psql_ins" \
    -n "unidesk, pinned to CPU 0" "taskset -c 0 $unidesk_ins" \
    -n "psql -f, pinned to CPU 0" "taskset -c 0 $psql_ins"
after="$(checksum)"
[[ "$after" == "$psql_sum" ]] || { echo "scripts/bench pg: after timing the table holds $after, not $psql_sum" >&2; exit 1; }

# The batch against the same psql -f, timed the same way (as is, and pinned to CPU 0).
hyperfine_rounds "$tmp/batch.json" "$BENCH_RUNS" "$BENCH_WARMUP" \
    --prepare "bash $tmp/pin.sh $all_cpus" --prepare "bash $tmp/pin.sh $all_cpus" \
    --prepare "bash $tmp/pin.sh 0" --prepare "bash $tmp/pin.sh 0" \
    -n "unidesk conn:exec_many" "$unidesk_batch" \
    -n "psql -f" "$psql_ins" \
    -n "unidesk conn:exec_many, pinned to CPU 0" "taskset -c 0 $unidesk_batch" \
    -n "psql -f, pinned to CPU 0" "taskset -c 0 $psql_ins"
after="$(checksum)"
[[ "$after" == "$psql_sum" ]] || { echo "scripts/bench pg: after timing the batch the table holds $after, not $psql_sum" >&2; exit 1; }

# Where unidesk's time goes (pinned): its own "ok in …" (the recipe's run) against the wall
# time of the process; the rest is start-up and the end of the run.
bash "$tmp/pin.sh" 0
split_runs=3 split_args=()
for ((i = 0; i < split_runs; i++)); do
    t0="$(date +%s%N)"
    eval "taskset -c 0 $unidesk_ins" >/dev/null 2>"$ins/unidesk.err"
    t1="$(date +%s%N)"
    r="$(benchlib ok-in-ms <"$ins/unidesk.err")" || { split_args=(); break; }
    split_args+=(--run "$r" --wall "$(((t1 - t0) / 1000000))")
done
bash "$tmp/pin.sh" "$all_cpus"

# The tables, ratios and the reading paragraph are benchlib's (pg-inserts, pg-smoke, pg-split, pg-reading).
ins_runs="$(runs_of "$tmp/inserts.json")"

# ---- 2. 200-migration smoke ---------------------------------------------------------------
gate="$tmp/gate"
mig="$gate/migrations"
mkdir -p "$mig"
# gen_migrations DIR N: 001 creates bench_items; then, in turn, add a column, give it a
# default and NOT NULL, index it, create a table that references bench_items (with an index),
# and a view over that table with a comment. Each has a down that reverts it exactly.
gen_migrations() {
    local dir="$1" n="$2" k v c t
    printf '%s\n' "CREATE TABLE bench_items (" "    id bigserial PRIMARY KEY," "    name text NOT NULL," \
        "    created_at timestamptz NOT NULL DEFAULT now()" ");" >"$dir/001_create_items.up.sql"
    echo "DROP TABLE bench_items;" >"$dir/001_create_items.down.sql"
    for ((k = 2; k <= n; k++)); do
        v="$(printf '%03d' "$k")"
        case $((k % 5)) in
        2)  c="c$v"
            echo "ALTER TABLE bench_items ADD COLUMN $c integer;" >"$dir/${v}_items_add_$c.up.sql"
            echo "ALTER TABLE bench_items DROP COLUMN $c;" >"$dir/${v}_items_add_$c.down.sql" ;;
        3)  c="c$(printf '%03d' $((k - 1)))"
            printf '%s\n' "ALTER TABLE bench_items ALTER COLUMN $c SET DEFAULT 0;" "UPDATE bench_items SET $c = 0 WHERE $c IS NULL;" \
                "ALTER TABLE bench_items ALTER COLUMN $c SET NOT NULL;" >"$dir/${v}_items_${c}_not_null.up.sql"
            printf '%s\n' "ALTER TABLE bench_items ALTER COLUMN $c DROP NOT NULL;" \
                "ALTER TABLE bench_items ALTER COLUMN $c DROP DEFAULT;" >"$dir/${v}_items_${c}_not_null.down.sql" ;;
        4)  c="c$(printf '%03d' $((k - 2)))"
            echo "CREATE INDEX bench_items_${c}_idx ON bench_items ($c);" >"$dir/${v}_index_items_$c.up.sql"
            echo "DROP INDEX bench_items_${c}_idx;" >"$dir/${v}_index_items_$c.down.sql" ;;
        0)  t="bench_t$v"
            printf '%s\n' "CREATE TABLE $t (" "    id bigserial PRIMARY KEY," \
                "    item_id bigint NOT NULL REFERENCES bench_items (id) ON DELETE CASCADE," "    label text," \
                "    amount numeric(12, 2) NOT NULL DEFAULT 0" ");" "CREATE INDEX ${t}_item_idx ON $t (item_id);" >"$dir/${v}_create_$t.up.sql"
            echo "DROP TABLE $t;" >"$dir/${v}_create_$t.down.sql" ;;
        1)  t="bench_t$(printf '%03d' $((k - 1)))"
            printf '%s\n' "CREATE VIEW ${t}_totals AS SELECT item_id, sum(amount) AS total, count(*) AS n FROM $t GROUP BY item_id;" \
                "COMMENT ON TABLE $t IS 'migration $v';" >"$dir/${v}_view_${t}_totals.up.sql"
            printf '%s\n' "COMMENT ON TABLE $t IS NULL;" "DROP VIEW ${t}_totals;" >"$dir/${v}_view_${t}_totals.down.sql" ;;
        esac
    done
}
gen_migrations "$mig" "$MIGRATIONS"
mig_files="$(find "$mig" -name '*.sql' | wc -l)"
mig_statements="$(cat "$mig"/*.up.sql | grep -c ';$')"
# relations bench_app owns once every up ran: table + sequence + primary key for bench_items
# and for each bench_tNNN (+ its index), one per index and view migration
expected_relations="$(awk -v n="$MIGRATIONS" 'BEGIN { r = 3; for (k = 2; k <= n; k++) { m = k % 5; r += (m == 0 ? 4 : (m == 4 || m == 1 ? 1 : 0)) }; print r }')"

# The roles exist on the server, as production's would: neither gate creates or drops them.
sql -c "CREATE ROLE bench_owner NOLOGIN" -c "CREATE ROLE bench_app NOLOGIN"

cat >"$gate/smoke.lua" <<'LUA'
local migrate = require "unidesk.migrate"
local report = migrate.smoke {
  dir = "migrations", admin_dsn = unidesk.env("DSN"), owner_role = "bench_owner", app_role = "bench_app",
}
if not report.ok or report.applied ~= report.migrations then unidesk.fail(migrate.format(report)) end
print(report.applied)
LUA

# psql-gate.sh MODE [verify]: what a shell-script gate does. A scratch database owned by
# bench_owner, where bench_app may create in public (as migrate.smoke sets it up); then
#   per-file-up        each up file by its own `psql -1 -f` as bench_app, in version order
#   per-file-updownup  the same for up, down, up again of each migration (the smoke's passes)
#   session            one psql session: SET ROLE bench_app, then up, down, up of each
#                      migration, each file between BEGIN and COMMIT (\i)
# The database is dropped at the end. With `verify`, prints the relations bench_app owns.
cat >"$gate/psql-gate.sh" <<SH
set -euo pipefail
mode="\$1" verify="\${2:-}"
db="bench_gate_\$\$"
admin=($psql -X -q -v ON_ERROR_STOP=1 -d $base/postgres)
"\${admin[@]}" -c "CREATE DATABASE \$db OWNER bench_owner"
trap '"\${admin[@]}" -c "DROP DATABASE IF EXISTS \$db WITH (FORCE)"' EXIT
$psql -X -q -v ON_ERROR_STOP=1 -d "$base/\$db" -c "GRANT CONNECT, TEMPORARY ON DATABASE \$db TO bench_app" \\
    -c "SET ROLE bench_owner" -c "GRANT USAGE, CREATE ON SCHEMA public TO bench_app"
apply() { PGOPTIONS="-c role=bench_app" $psql -X -q -v ON_ERROR_STOP=1 -1 -d "$base/\$db" -f "\$1"; }
case "\$mode" in
session)
    {
        echo "SET ROLE bench_app;"
        for up in $mig/*.up.sql; do
            for f in "\$up" "\${up%.up.sql}.down.sql" "\$up"; do printf 'BEGIN;\n\\\\i %s\nCOMMIT;\n' "\$f"; done
        done
    } | $psql -X -q -v ON_ERROR_STOP=1 -d "$base/\$db" -f - ;;
per-file-up | per-file-updownup)
    for up in $mig/*.up.sql; do
        apply "\$up"
        if [[ "\$mode" == per-file-updownup ]]; then apply "\${up%.up.sql}.down.sql"; apply "\$up"; fi
    done ;;
*) echo "psql-gate.sh: unknown mode \$mode" >&2; exit 2 ;;
esac
if [[ -n "\$verify" ]]; then
    $psql -X -q -At -d "$base/\$db" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = 'bench_app'"
fi
SH

smoke_cmd="$ud run $gate/smoke.lua $run_flags"
leftovers() { sql -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'unidesk_smoke_%' OR datname LIKE 'bench_gate_%'"; }

# Correct before timed: the smoke applies all of them; every psql gate ends with the schema.
got="$(eval "$smoke_cmd" 2>"$gate/smoke.err")" || { tail -n 20 "$gate/smoke.err" >&2; exit 1; }
[[ "$got" == "$MIGRATIONS" ]] || { echo "scripts/bench pg: migrate.smoke applied '$got' of $MIGRATIONS" >&2; exit 1; }
for mode in session per-file-up per-file-updownup; do
    got="$(bash "$gate/psql-gate.sh" "$mode" verify)"
    [[ "$got" == "$expected_relations" ]] || { echo "scripts/bench pg: psql gate ($mode) left $got relations, not $expected_relations" >&2; exit 1; }
done
[[ "$(leftovers)" == 0 ]] || { echo "scripts/bench pg: a scratch database was left behind" >&2; exit 1; }
echo "checked: migrate.smoke applied $MIGRATIONS; each psql gate built the same $expected_relations relations" >&2

BENCH_ROUNDS=1 hyperfine_rounds "$tmp/smoke.json" "$SMOKE_RUNS" 1 \
    -n "unidesk migrate.smoke" "$smoke_cmd" \
    -n "psql, one session" "bash $gate/psql-gate.sh session" \
    -n "psql per file, up only" "bash $gate/psql-gate.sh per-file-up" \
    -n "psql per file, up/down/up" "bash $gate/psql-gate.sh per-file-updownup"
[[ "$(leftovers)" == 0 ]] || { echo "scripts/bench pg: a scratch database was left behind" >&2; exit 1; }

OTHERS_END="$(other_processes)"

# ---- the section --------------------------------------------------------------------------
{ read -r split_rest; read -r split_line; } < <(benchlib pg-split "${split_args[@]}")
{
    echo "## PostgreSQL: $ROWS parameterised INSERTs and a $MIGRATIONS-migration smoke, unidesk vs psql"
    echo
    echo "_Written by \`scripts/bench pg\`; do not edit between the markers._"
    echo
    machine_markdown
    busy_warning
    echo "- Other processes using ≥ 5 % of a CPU (\`top\` over 1 s): at the start: $OTHERS_START; at the end: $OTHERS_END"
    echo "- Versions: $("$UNIDESK_BIN" version) built from $(source_revision); $("$psql" --version); server PostgreSQL $(sql -c 'SHOW server_version')"
    echo "- Reproduce: \`scripts/bench pg\` (defaults \`BENCH_RUNS=15 BENCH_ROUNDS=5 BENCH_WARMUP=2 BENCH_PG_SMOKE_RUNS=3\`, this run \`BENCH_RUNS=$BENCH_RUNS BENCH_ROUNDS=${BENCH_ROUNDS:-5} BENCH_WARMUP=$BENCH_WARMUP BENCH_PG_SMOKE_RUNS=$SMOKE_RUNS\`)"
    echo "- Server: a private PostgreSQL 15 started for the benchmark by \`scripts/stack/pg-up\` on 127.0.0.1:$UNIDESK_PG_PORT and stopped at the end, **tuned for tests: \`fsync\`, \`synchronous_commit\` and \`full_page_writes\` are off**, so no commit waits for the disk. The figures are client, protocol and server CPU; a durable server adds a WAL flush per commit (1 in the insert benchmark, 1 per migration file in the gates). Both tools connect over loopback TCP with the same superuser DSN and password (SCRAM-SHA-256); \`psql\` is the real client \`$psql\`, not Debian's \`/usr/bin/psql\` wrapper (a Perl script that adds ~30 ms to every start)."
    echo
    echo "### $ROWS INSERTs in one transaction"
    echo
    echo "Both commands send the same statements, one round trip each: \`CREATE TABLE IF NOT EXISTS bench_rows\`, \`TRUNCATE\`, \`BEGIN\`, $ROWS \`INSERT INTO bench_rows (id, name, score) VALUES (…)\`, \`COMMIT\`. unidesk sends each INSERT by the extended protocol with its three values apart from the SQL (\`c:exec(sql, {i, \"name-\"..i, i * 0.5})\` inside \`conn:tx\`, the recipe generated by \`scripts/bench.d/pg.sh\`); psql sends the literal statements of a generated file by the simple protocol. Checked before timing: each tool alone leaves the same $ROWS rows (count, sum and an md5 of all rows), and the table again after timing; a failed statement fails the command (\`assert\`; \`ON_ERROR_STOP=1\`)."
    echo
    echo '```sh'
    echo "unidesk run inserts.lua --no-color --secret-env DSN --allow 'pg.*'"
    echo "psql -X -q -v ON_ERROR_STOP=1 -d \"\$DSN\" -f inserts.sql"
    echo '```'
    echo
    echo "Each is timed as is and with client and server pinned to CPU 0 (\`taskset -c 0\` for the client, the server's processes moved by \`taskset -p\` before each run). On this VM an idle CPU is slow to wake, so a statement-by-statement ping-pong between two CPUs is slower on an idle machine than on a busy one (psql's file took 0.4 s to 1.4 s in trials while writing this benchmark), and in this run psql took $(benchlib pg-unpinned "$tmp/inserts.json") as long unpinned as pinned; on one CPU there is no cross-CPU wake-up and the time is the work done. $ins_runs runs of each after $BENCH_WARMUP warm-up runs, in ${BENCH_ROUNDS:-5} consecutive \`hyperfine -N\` rounds that each time all four. Ratio = unidesk time / psql time: below 1 unidesk is faster."
    echo
    benchlib pg-inserts "$tmp/inserts.json" "$ROWS"
    echo
    [[ -z "$split_line" ]] || { echo "$split_line"; echo; }
    echo "### The same $ROWS rows as one batch: \`conn:exec_many\` in pipeline mode"
    echo
    echo "The recipe builds the $ROWS rows of values in Lua and sends them with one \`conn:exec_many(\"INSERT INTO bench_rows (id, name, score) VALUES (\$1, \$2, \$3)\", rows)\` (after the same \`CREATE TABLE IF NOT EXISTS\` and \`TRUNCATE\`): one gated call, the statement parsed once, every row sent through libpq's pipeline mode with one sync at the end, so the rows cost one round trip instead of $ROWS, and one implicit transaction as psql's \`BEGIN\` … \`COMMIT\`. The reference is the same \`psql -f\` file as above. Checked before timing: the batch leaves the same $ROWS rows (count, sum, md5) and prints one \`[write]\` line for them (\`[write] pg.exec:… ($ROWS rows, …)\`); the table is checked again after timing. Timed as above (as is and pinned, $ins_runs runs of each after $BENCH_WARMUP warm-up runs, ${BENCH_ROUNDS:-5} rounds). Speed-up = psql time / unidesk time: the target is at least 3×."
    echo
    echo '```sh'
    echo "unidesk run batch.lua --no-color --secret-env DSN --allow 'pg.*'"
    echo "psql -X -q -v ON_ERROR_STOP=1 -d \"\$DSN\" -f inserts.sql"
    echo '```'
    echo
    benchlib pg-batch "$tmp/batch.json" "$ROWS"
    echo
    echo "### $MIGRATIONS-migration smoke"
    echo
    echo "$MIGRATIONS generated migrations ($mig_files files: up and down of each; $mig_statements statements in the ups): 001 creates a table, then in turn a column is added, given a default and NOT NULL, indexed, a table referencing the first is created with an index, and a view over it with a comment. Each command creates a scratch database owned by \`bench_owner\`, lets \`bench_app\` create in \`public\`, applies the migrations as \`bench_app\` and drops the database; the two roles exist beforehand. Checked before timing: the smoke reports all $MIGRATIONS applied; every psql gate leaves the $expected_relations relations the migrations create, owned by \`bench_app\`; no scratch database is left over."
    echo
    echo "- **unidesk migrate.smoke**: \`unidesk run smoke.lua --no-color --secret-env DSN --allow 'pg.*'\`, the recipe \`migrate.smoke{dir=\"migrations\", admin_dsn=unidesk.env(\"DSN\"), owner_role=\"bench_owner\", app_role=\"bench_app\"}\`, failing unless \`report.ok\`. It does more than apply the ups: it checks the file set first (duplicate versions, gaps, orphan downs), and for each migration runs up, down, up again (3 scripts, $((MIGRATIONS * 3)) in all), each script in its own transaction as the app role (\`SET LOCAL ROLE\`), statement by statement so that a failure names its file, statement and line; 2 connections in all."
    echo "- **psql, one session**: the same $((MIGRATIONS * 3)) scripts and transactions in one \`psql\` process: \`SET ROLE bench_app\`, then \`BEGIN; \\i FILE; COMMIT;\` for up, down, up of each migration. The like-for-like reference for the server's work; it stops at the first error (\`ON_ERROR_STOP\`), reported as psql prints it."
    echo "- **psql per file, up only**: what a simple shell-script gate does, \`for f in migrations/*.up.sql; do PGOPTIONS='-c role=bench_app' psql -X -q -v ON_ERROR_STOP=1 -1 -d \"\$SCRATCH_DSN\" -f \"\$f\"; done\`: a process and a connection per file, a third of the smoke's scripts, no down tried."
    echo "- **psql per file, up/down/up**: that loop doing the smoke's three passes."
    echo
    echo "The psql gates' connection counts include the 3 \`psql -c\` calls that create, prepare and drop the scratch database. Not pinned. $SMOKE_RUNS runs of each after 1 warm-up run, one \`hyperfine -N\` invocation. Ratio = unidesk time / that command's time: below 1 unidesk is faster."
    echo
    benchlib pg-smoke "$tmp/smoke.json" "$MIGRATIONS"
    echo
    echo "### Reading the figures"
    echo
    benchlib pg-reading "$tmp/inserts.json" "$tmp/smoke.json" "$ROWS" --split-rest "$split_rest"
} >"$BENCH_SECTION"
cat "$BENCH_SECTION"
