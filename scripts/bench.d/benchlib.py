#!/usr/bin/env python3
"""Analysis and Markdown rendering for scripts/bench.d: one tested module (test_benchlib.py).

The benchmark scripts decide what to run and how (hyperfine, strace, top); everything that
reads what came out of it lives here: hyperfine's --export-json documents (merging rounds,
statistics, ratios against a target, verdicts, table rows), strace logs cut into phases, and
top's output. Each function is also a subcommand, so a shell script calls e.g.

    python3 benchlib.py judge take.json 1 0

Numbers are printed with the same formats the shell helpers used (awk's printf), so the
sections in docs/benchmarks.md keep their shape.
"""
import argparse
import json
import math
import os
import re
import sys

TARGET = 0.95


# ---- hyperfine JSON -------------------------------------------------------------------------

def load(path):
    """A hyperfine --export-json document."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def mean(xs):
    return sum(xs) / len(xs)


def stddev(xs):
    """Sample standard deviation (n - 1), as hyperfine reports it; 0 for a single run."""
    if len(xs) < 2:
        return 0.0
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def summary(command, times, user, system):
    """One result in hyperfine's layout, its statistics computed from `times`."""
    return {"command": command, "times": times, "mean": mean(times), "stddev": stddev(times),
            "min": min(times), "max": max(times), "user": user, "system": system}


def merge_rounds(docs):
    """The documents of several hyperfine invocations of the same commands as one: every
    command's runs pooled, statistics over all of them, CPU times weighted by run counts."""
    merged = []
    for i, first in enumerate(docs[0]["results"]):
        rs = [d["results"][i] for d in docs]
        times = [t for r in rs for t in r["times"]]
        user = sum(r["user"] * len(r["times"]) for r in rs) / len(times)
        system = sum(r["system"] * len(r["times"]) for r in rs) / len(times)
        merged.append(summary(first["command"], times, user, system))
    return {"results": merged}


def call_durations(reports, primitive):
    """Seconds of every audit record of `primitive` in `unidesk run --report` documents."""
    return [a["duration_ms"] / 1000 for r in reports for a in r.get("audit", [])
            if a.get("primitive") == primitive]


def add_result(doc, command, times):
    """`doc` with one more result measured outside hyperfine (no CPU time of its own)."""
    doc["results"].append(summary(command, times, None, None))
    return doc


def stat(doc, index, field):
    return doc["results"][index][field]


def cpu_time(doc, index):
    """Mean user + system CPU seconds of one command; None when it has none."""
    r = doc["results"][index]
    if r.get("user") is None or r.get("system") is None:
        return None
    return r["user"] + r["system"]


def runs_of(doc):
    return len(doc["results"][0]["times"])


# ---- formatting ------------------------------------------------------------------------------

def fmt_time(m, s):
    """"1.234 s ± 0.012 s" or "4.5 ms ± 0.3 ms", the unit chosen by the mean."""
    if m >= 1:
        return "%.3f s ± %.3f s" % (m, s)
    if m >= 0.1:
        return "%.0f ms ± %.0f ms" % (m * 1e3, s * 1e3)
    return "%.1f ms ± %.1f ms" % (m * 1e3, s * 1e3)


def ms(s):
    """"1.23 s" from a second up, else "456 ms"."""
    return "%.2f s" % s if s >= 1 else "%.0f ms" % (s * 1000)


def rate(data_bytes, s):
    return "%.0f MiB/s" % (data_bytes / s / 1048576)


# ---- ratios and verdicts ---------------------------------------------------------------------

def ratio(doc, ref, unidesk):
    """(ratio, its sd, fastest runs' ratio) of ref's time ÷ unidesk's, each as printed
    ("%.2f"): the verdict reads the printed figures, so text and verdict always agree."""
    a, sa = stat(doc, ref, "mean"), stat(doc, ref, "stddev")
    b, sb = stat(doc, unidesk, "mean"), stat(doc, unidesk, "stddev")
    r = a / b
    sd = r * math.sqrt((sa / a) ** 2 + (sb / b) ** 2)
    return "%.2f" % r, "%.2f" % sd, "%.2f" % (stat(doc, ref, "min") / stat(doc, unidesk, "min"))


def verdict(r, sd, fastest, target=TARGET):
    """Against the target. Clear only when the mean, one sd away from it, and the fastest
    runs agree: on a shared machine one slow run moves the mean, the fastest runs move less."""
    r, sd, m = float(r), float(sd), float(fastest)
    t = "%.2f" % target
    if r - sd >= target and m >= target:
        return "meets the %s target" % t
    if r + sd < target and m < target:
        return "misses the %s target" % t
    if r >= target and m >= target:
        return "meets the %s target by the mean and the fastest runs, but within one sd of it" % t
    if r < target and m < target:
        return "misses the %s target by the mean and the fastest runs, but within one sd of it" % t
    return "is within this run's noise of the %s target (it %s it by the mean, %s it by the fastest runs)" % (
        t, "meets" if r >= target else "misses", "meets" if m >= target else "misses")


def short_verdict(r, sd, fastest, target=TARGET):
    """The verdict in a few words, for a summary table."""
    v = verdict(r, sd, fastest, target)
    if v.endswith("target"):
        return v.split(" ", 1)[0]
    if "one sd" in v:
        return v.split(" ", 1)[0] + ", within 1 sd"
    return "within noise"


def judge(doc, ref, unidesk):
    """"**r** ± sd (fastest runs rmin): it VERDICT"."""
    r, sd, m = ratio(doc, ref, unidesk)
    return "**%s** ± %s (fastest runs %s): it %s" % (r, sd, m, verdict(r, sd, m))


def cell(doc, ref, unidesk):
    """A summary table cell, "**r** ± sd (rmin): verdict"; "–" when there is no document
    (a pass that was skipped)."""
    if doc is None:
        return "–"
    r, sd, m = ratio(doc, ref, unidesk)
    return "**%s** ± %s (%s): %s" % (r, sd, m, short_verdict(r, sd, m))


# ---- table rows ------------------------------------------------------------------------------

def table_row(doc, i, name, what, last, data_bytes):
    """| name | [what |] wall | fastest | CPU | throughput | last |; what None: no such
    column; CPU "–" for a result without CPU time."""
    cpu = cpu_time(doc, i)
    cols = [name] + ([] if what is None else [what]) + [
        fmt_time(stat(doc, i, "mean"), stat(doc, i, "stddev")), ms(stat(doc, i, "min")),
        "–" if cpu is None else ms(cpu), rate(data_bytes, stat(doc, i, "mean")), last]
    return "| " + " | ".join(cols) + " |"


def row(doc, i, name, what, data_bytes, unidesk=None):
    """A row whose last cell is ref ÷ unidesk when `unidesk` (a result index) is given."""
    last = ""
    if unidesk is not None:
        r, sd, m = ratio(doc, i, unidesk)
        last = "**%s** ± %s (fastest runs: %s)" % (r, sd, m)
    return table_row(doc, i, name, what, last, data_bytes)


def call_row(doc, call, inplace, fresh, name, what, data_bytes):
    """The restore call's row: its ratio against both `tar -xf` rows."""
    r, sd, m = ratio(doc, inplace, call)
    last = "in place **%s** ± %s (fastest runs: %s);" % (r, sd, m)
    r, sd, m = ratio(doc, fresh, call)
    last += " into an empty directory **%s** ± %s (fastest runs: %s)" % (r, sd, m)
    return table_row(doc, call, name, what, last, data_bytes)


# ---- per-family tables and figures (lua.sh, registry.sh, pg.sh, kube.sh) --------------------
# Each renders what its script used to compute in awk: the formats are the awk printf formats
# they replace, so the sections in docs/benchmarks.md keep their text.

def quotient(doc, a, b, field="mean"):
    """a's `field` ÷ b's."""
    return stat(doc, a, field) / stat(doc, b, field)


def quotient_sd(doc, a, b):
    """(a's mean ÷ b's, its sd propagated from both relative sds)."""
    ma, sa = stat(doc, a, "mean"), stat(doc, a, "stddev")
    mb, sb = stat(doc, b, "mean"), stat(doc, b, "stddev")
    r = ma / mb
    return r, r * math.sqrt((sa / ma) ** 2 + (sb / mb) ** 2)


def median(doc, i):
    """The median run (the mean of the middle two for an even count)."""
    t = sorted(doc["results"][i]["times"])
    n = len(t)
    return t[n // 2] if n % 2 == 1 else (t[n // 2 - 1] + t[n // 2]) / 2


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def yes_no(flag):
    return "yes" if flag else "no"


# lua.sh: lua5.4 (result 0) against unidesk (result 1), one document per program

LUA_TARGET = 0.95


def lua_row(doc, program, what):
    """(row, ratio, fastest runs' ratio, CPU ratio) of one program, the ratios as printed
    ("%.3f"): the geometric means are taken over the printed figures, as awk read them."""
    r, sd = quotient_sd(doc, 0, 1)
    ratio_s, sd_s = "%.3f" % r, "%.3f" % sd
    median_s = "%.3f" % (median(doc, 0) / median(doc, 1))
    min_s = "%.3f" % quotient(doc, 0, 1, "min")
    cpu_s = "%.3f" % (cpu_time(doc, 0) / cpu_time(doc, 1))
    cells = ["`%s.lua`" % program, what, fmt_time(stat(doc, 0, "mean"), stat(doc, 0, "stddev")),
             fmt_time(stat(doc, 1, "mean"), stat(doc, 1, "stddev")), "%s ± %s" % (ratio_s, sd_s),
             median_s, yes_no(float(median_s) >= LUA_TARGET), min_s, cpu_s]
    return "| " + " | ".join(cells) + " |", ratio_s, median_s, min_s, cpu_s


def lua_table(programs):
    """The Lua VM table: `programs` is [(name, what it stresses, hyperfine document)]."""
    lines = ["| program | stresses | lua5.4 wall (mean ± sd) | unidesk wall (mean ± sd) | speed ratio of means (lua5.4 / unidesk) | of medians | ≥ 0.95 (medians) | ratio of fastest runs | ratio of CPU times |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    ratios, medians, mins, cpus = [], [], [], []
    for name, what, doc in programs:
        line, r, md, m, c = lua_row(doc, name, what)
        lines.append(line)
        ratios.append(float(r))
        medians.append(float(md))
        mins.append(float(m))
        cpus.append(float(c))
    geo = "%.3f" % geomean(medians)
    lines.append("| geometric mean | | | | %.3f | %s | %s | %.3f | %.3f |" % (
        geomean(ratios), geo, yes_no(float(geo) >= LUA_TARGET), geomean(mins), geomean(cpus)))
    return "\n".join(lines)


# startup.sh: per pair, the reference (result 0) and unidesk (result 1) in one document

STARTUP_TARGET = 3.0


def startup_row(doc, what, target):
    """One row: both commands' mean ± sd and median, the ratio of medians (unidesk ÷ the
    reference) with its verdict when the pair has a target, and the ratio of CPU times."""
    ref, ud = doc["results"][0], doc["results"][1]
    rm, um = median(doc, 0), median(doc, 1)
    r = um / rm
    cpu_r, cpu_u = cpu_time(doc, 0), cpu_time(doc, 1)
    cpu = "%.2f" % (cpu_u / cpu_r) if cpu_r and cpu_u else "–"
    verdict = "%s (≤ %.0f×)" % (yes_no(round(r, 2) <= target), target) if target else "reference only"
    return "| %s | `%s` | %s (median %s) | `%s` | %s (median %s) | **%.2f×** | %s | %s |" % (
        what, ref["command"], fmt_time(stat(doc, 0, "mean"), stat(doc, 0, "stddev")), fmt_ms(rm),
        ud["command"], fmt_time(stat(doc, 1, "mean"), stat(doc, 1, "stddev")), fmt_ms(um), r, verdict, cpu)


def fmt_ms(s):
    """"1.2 ms" below 0.1 s, else as ms()."""
    return "%.1f ms" % (s * 1e3) if s < 0.1 else ms(s)


def startup_table(rows):
    """rows: (what, doc, target or None)."""
    return "\n".join([
        "| start-up of | reference | reference wall | unidesk | unidesk wall | unidesk ÷ reference (medians) | target met | ratio of CPU times |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ] + [startup_row(doc, what, target) for what, doc, target in rows])


# registry.sh: unidesk (0) and the curl loop (1) in one document, the skopeo loop in another

def registry_table(fast, skopeo, n, target=10):
    um, us = stat(fast, 0, "mean"), stat(fast, 0, "stddev")
    cm, cs = stat(fast, 1, "mean"), stat(fast, 1, "stddev")
    sm, ss = stat(skopeo, 0, "mean"), stat(skopeo, 0, "stddev")
    curl = "%.1f" % (cm / um)
    return "\n".join([
        "| command | mean ± sd | unidesk is faster by |",
        "| --- | --- | --- |",
        "| unidesk head_many (1 process) | %s | |" % fmt_time(um, us),
        "| curl -sI loop (%d processes) | %s | %s× (target ≥ %d×: %s) |" % (
            n, fmt_time(cm, cs), curl, target, yes_no(float(curl) >= target)),
        "| skopeo inspect --raw loop (%d processes) | %s | %.1f× |" % (n, fmt_time(sm, ss), sm / um),
    ])


# pg.sh: inserts (0 unidesk, 1 psql, 2 unidesk pinned, 3 psql pinned) and the smoke (0 unidesk,
# 1 one psql session, 2 psql per file up only, 3 psql per file up/down/up)

def pg_seconds(s):
    """"1.234 s" from a second up, else "456 ms"."""
    return "%.3f s" % s if s >= 1 else "%.0f ms" % (s * 1000)


def pg_ratio(doc, a, b):
    """a's time ÷ b's and its sd, "%.3g" and "%.2g"."""
    r, sd = quotient_sd(doc, a, b)
    return "%.3g" % r, "%.2g" % sd


def per_statement(seconds, rows):
    return "%.0f µs" % (seconds / rows * 1e6)


PG_INSERT_ROWS = [("unidesk `conn:tx` + `c:exec` with $1, $2, $3", 1), ("`psql -f` of literal INSERTs", None),
                  ("unidesk, pinned to CPU 0", 3), ("`psql -f`, pinned to CPU 0", None)]


def pg_inserts_table(doc, rows):
    lines = ["| command | wall (mean ± sd) | fastest | CPU of the client (user + sys) | wall / %d | unidesk / psql |" % rows,
             "| --- | --- | --- | --- | --- | --- |"]
    for i, (name, vs) in enumerate(PG_INSERT_ROWS):
        last = ""
        if vs is not None:
            r, sd = pg_ratio(doc, i, vs)
            last = "**%s** ± %s (fastest runs: %.3g)" % (r, sd, quotient(doc, i, vs, "min"))
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            name, fmt_time(stat(doc, i, "mean"), stat(doc, i, "stddev")), pg_seconds(stat(doc, i, "min")),
            pg_seconds(cpu_time(doc, i)), per_statement(stat(doc, i, "mean"), rows), last))
    return "\n".join(lines)


# The batch (0 unidesk conn:exec_many, 1 psql -f, 2 and 3 the same pinned to CPU 0): the
# speed-up over psql, whose target is 3×.
PG_BATCH_TARGET = 3
PG_BATCH_ROWS = [("unidesk `conn:exec_many` (pipeline mode)", 1), ("`psql -f` of literal INSERTs", None),
                 ("unidesk `conn:exec_many`, pinned to CPU 0", 3), ("`psql -f`, pinned to CPU 0", None)]


def pg_batch_table(doc, rows):
    lines = ["| command | wall (mean ± sd) | fastest | CPU of the client (user + sys) | wall / %d | psql / unidesk (target ≥ %d×) |" % (rows, PG_BATCH_TARGET),
             "| --- | --- | --- | --- | --- | --- |"]
    for i, (name, vs) in enumerate(PG_BATCH_ROWS):
        last = ""
        if vs is not None:
            r, sd = quotient_sd(doc, vs, i)
            last = "**%.3g×** ± %.2g (fastest runs: %.3g×; met: %s)" % (r, sd, quotient(doc, vs, i, "min"), "yes" if r >= PG_BATCH_TARGET else "no")
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            name, fmt_time(stat(doc, i, "mean"), stat(doc, i, "stddev")), pg_seconds(stat(doc, i, "min")),
            pg_seconds(cpu_time(doc, i)), per_statement(stat(doc, i, "mean"), rows), last))
    return "\n".join(lines)


def pg_smoke_table(doc, migrations):
    m = migrations
    spec = [("unidesk migrate.smoke", m * 3, 2), ("psql, one session", m * 3, 4),
            ("psql per file, up only", m, m + 3), ("psql per file, up/down/up", m * 3, m * 3 + 3)]
    lines = ["| command | scripts run | connections | wall (mean ± sd) | wall / %d migrations | CPU of the client (user + sys) | unidesk / this |" % m,
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for i, (name, scripts, conns) in enumerate(spec):
        last = "%s ± %s" % pg_ratio(doc, 0, i) if i > 0 else ""
        lines.append("| %s | %d | %d | %s | %.1f ms | %s | %s |" % (
            name, scripts, conns, fmt_time(stat(doc, i, "mean"), stat(doc, i, "stddev")),
            stat(doc, i, "mean") / m * 1000, pg_seconds(cpu_time(doc, i)), last))
    return "\n".join(lines)


def pg_split(run_ms, wall_ms):
    """unidesk's own account of the pinned insert runs, from each run's `ok in` and process
    wall time in ms: (sentence, ms outside the recipe), or ("", "") when there were none."""
    runs = len(run_ms)
    if runs == 0 or len(wall_ms) != runs:
        return "", ""
    run_ms, wall_ms = sum(run_ms), sum(wall_ms)
    run_, wall, rest = "%.0f" % (run_ms / runs), "%.0f" % (wall_ms / runs), "%.0f" % ((wall_ms - run_ms) / runs)
    return ("unidesk's own account, pinned (mean of %d more runs): the recipe ran for %s ms (its `ok in …`) "
            "of %s ms of process wall time; the other %s ms are start-up and the end of the run." % (runs, run_, wall, rest)), rest


OK_IN = re.compile(r'.*ok in ([0-9.]*)(ms|s)$')


def ok_in_ms(last_line):
    """The milliseconds of a run's closing "ok in 12.3ms" / "ok in 1.2s" line; None if it is not one."""
    m = OK_IN.match(last_line.rstrip("\n"))
    if not m:
        return None
    try:
        return float(m.group(1)) * (1000 if m.group(2) == "s" else 1)
    except ValueError:
        return None


def pg_unpinned_over_pinned(doc):
    """How many times as long psql took unpinned as pinned."""
    return "%.1f×" % quotient(doc, 1, 3)


def pg_reading(inserts, smoke, rows, split_rest=""):
    """The "Reading the figures" paragraph of the pg section, with this run's numbers."""
    ins_ratio = pg_ratio(inserts, 0, 1)[0]
    pin_ratio = pg_ratio(inserts, 2, 3)[0]
    cpu_diff = "%.0f µs" % ((cpu_time(inserts, 2) - cpu_time(inserts, 3)) / rows * 1e6)
    vs_session, vs_up, vs_udu = (pg_ratio(smoke, 0, i)[0] for i in (1, 2, 3))
    account = ("The account above: %s ms of the pinned run are spent outside the recipe (an empty recipe's "
               "whole run: the Start-up section). " % split_rest) if split_rest else ""
    return (
        "**Inserts.** Both tools wait for one round trip per statement (neither pipelines), so what differs is the work around each statement. "
        "Pinned to one CPU, unidesk takes %s× psql's time (%s against %s per INSERT, start-up included), and %s× unpinned, where both also wait for wake-ups. "
        "The client CPU column is the difference: unidesk spends about %s more client CPU per statement than psql. "
        "Profiles (`perf record --call-graph dwarf` of the pinned unidesk command): at c4cbf1d about 30 %% of unidesk's CPU went, after the recipe had ended, into rendering the run report over the 10000 audit records although neither `--report` nor `--junit` was given, most of it `Redactor.scrub` searching every string for the DSN's password with Foundation's `String.contains`; 1984982 renders the report only when a file is asked for and searches with `memmem` first (pinned client CPU 0.89–1.02 s in four runs before it, 0.70–0.77 s in two busier runs after). "
        "At 1984982 about 20 %% of unidesk's CPU goes into the `[write]` line printed to stderr per statement, 13 points of that in formatting the line's duration with Foundation's `String(format:)`; about 3 %% into building audit arguments; 2 %% into start-up; most of the rest into libpq, the kernel's loopback TCP and the Lua calls, as psql's time does. "
        "%s"
        "Formatting that duration without Foundation, or one summary line for a run of identical effects, would save most of that fifth; the per-statement gate and audit record are the price of unidesk's model and matter for bulk loads, not for the tens of statements of a deploy. "
        "A later profile (f6fe093, `perf record -e cpu-clock -g` of 10000 INSERTs on a loaded machine, stderr to a pipe) put 57 %% of unidesk's CPU in the kernel (loopback TCP, `poll`, wake-ups: the round trip psql pays too), 18 %% in the `[write]` line (14 points of it the `write` system call), 3.5 %% in reading the Lua arguments, and the gate's policy check, audit record and argument check about 1 %% each. "
        "Since 3fc58fa the console writes through one buffer when stdout and stderr are not a terminal (flushed within 100 ms, at each step's end, before a sleep and at every exit): 5 `write` system calls for 2,000 INSERTs instead of 2,003, and the kernel's write path 0.3 %% of the CPU samples instead of 4.1 %% (stderr to a file); ddf2caf and 504fbfc cut the repeated policy match, the spec names rebuilt per call, the line's intermediate strings and the parameter list's element paths, about 10,000 instructions a statement (callgrind; the section \"Per-call overhead: findings\" below). What is left is the price of one gated, audited, printed call per statement. "
        "For bulk loads `conn:exec_many` sends the rows through libpq's pipeline mode as one gated call with one line: the table above it. "
        "**Smoke.** With the same scripts and transactions, unidesk is at %s× one psql session: the server's DDL work dominates and the per-statement overhead is small beside it. "
        "It is %s× the simple per-file loop, which applies a third of the scripts and tries no down, and %s× the per-file loop doing the same passes, because it keeps 2 connections where the loop pays a process start and a SCRAM login per file."
    ) % (pin_ratio, per_statement(stat(inserts, 2, "mean"), rows), per_statement(stat(inserts, 3, "mean"), rows),
         ins_ratio, cpu_diff, account, vs_session, vs_up, vs_udu)


# kube.sh: create and re-apply documents of seven results (0 unidesk per file, 1 unidesk
# multi-document, 2 kubectl warm, 3 kubectl cold, 4 kubectl --validate=false, 5 curl one after
# the other, 6 curl 8 in flight), the loop document (0 creating, 1 re-applying), and the
# breakdown: per command "wall server-CPU in-requests requests run" in ms, from its split runs.

KUBE_TARGET = 0.5
KUBE_KUBECTL = 2


def kube_seconds(s):
    if s >= 10:
        return "%.1f s" % s
    if s >= 1:
        return "%.2f s" % s
    return "%.0f ms" % (s * 1000)


def kube_row(doc, i, name, objects):
    r, sd = quotient_sd(doc, i, KUBE_KUBECTL)
    r_s = "**%.2f**" % r if i < 2 else "%.2f" % r
    mr = median(doc, i) / median(doc, KUBE_KUBECTL)
    fr = quotient(doc, i, KUBE_KUBECTL, "min")
    return "| %s | %s | %s | %s | %s | %.1f ms | %s ± %.2f (medians: %.2f, fastest: %.2f) |" % (
        name, fmt_time(stat(doc, i, "mean"), stat(doc, i, "stddev")), kube_seconds(median(doc, i)),
        kube_seconds(stat(doc, i, "min")), kube_seconds(cpu_time(doc, i)), stat(doc, i, "mean") / objects * 1000,
        r_s, sd, mr, fr)


def kube_table(doc, names, objects):
    lines = ["| command | wall (mean ± sd) | median | fastest | client CPU (user + sys) | wall / object | this / kubectl -f DIR/ (warm) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    lines += [kube_row(doc, i, name, objects) for i, name in enumerate(names)]
    return "\n".join(lines)


def kube_loop_table(loop, create, reapply, objects):
    """The kubectl-loop table; each row's ratio is unidesk per file (creating or re-applying) ÷ it."""
    lines = ["| command | wall (mean ± sd) | fastest | client CPU (user + sys) | wall / object | |",
             "| --- | --- | --- | --- | --- | --- |"]
    for i, (what, single) in enumerate([("creating", create), ("re-applying", reapply)]):
        um, us = stat(single, 0, "mean"), stat(single, 0, "stddev")
        lm, ls = stat(loop, i, "mean"), stat(loop, i, "stddev")
        r = um / lm
        sd = r * math.sqrt((us / um) ** 2 + (ls / lm) ** 2)
        lines.append("| %d kubectl processes, %s | %s | %s | %s | %.0f ms | unidesk per file / this: %.2f ± %.2f |" % (
            objects, what, fmt_time(lm, ls), kube_seconds(stat(loop, i, "min")), kube_seconds(cpu_time(loop, i)),
            lm / objects * 1000, r, sd))
    return "\n".join(lines)


def leading_number(s):
    """The number at the start of s, as awk reads a field ("12ms" → 12, "x" → 0)."""
    m = re.match(r'[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?', s.strip())
    return float(m.group(0)) if m else 0.0


def kube_requests(kind, text):
    """(ms in requests, requests, ms of unidesk's run) of one breakdown run, by the client's own
    account: unidesk's --report (the kube.apply audit records, the run's duration_ms), kubectl's
    -v=6 log ("in N milliseconds" of each round trip), curl's "code time_total" lines."""
    if kind not in ("unidesk", "kubectl", "curl"):
        raise ValueError("unknown breakdown kind %r (unidesk, kubectl or curl)" % kind)
    if kind == "unidesk":
        report = json.loads(text)
        calls = [a["duration_ms"] for a in report.get("audit", []) if a.get("primitive") == "unidesk.kube.apply"]
        return sum(calls), len(calls), report.get("duration_ms", 0)
    total, n = 0.0, 0
    for line in text.splitlines():
        if kind == "kubectl":
            if "round_trippers" in line and re.search(r' in [0-9]+ milliseconds', line):
                f = line.split()
                total += sum(leading_number(f[i + 1]) for i in range(len(f) - 1) if f[i] == "in")
                n += 1
        elif kind == "curl":
            f = line.split()
            total += (leading_number(f[1]) if len(f) > 1 else 0) * 1000
            n += 1
    return total, n, 0


def awk_number(x):
    """x as awk's print writes a number: an integer as such, else "%.6g"."""
    return "%d" % x if float(x).is_integer() else "%.6g" % x


def kube_breakdown(runs, clock_ticks):
    """The mean over split runs, each (wall µs, server CPU ticks, ms in requests, requests, run ms):
    [wall ms, server CPU ms, ms in requests, requests, run ms], each rounded as printed."""
    n = len(runs)
    sums = [sum(r[0] for r in runs) / 1000, sum(r[1] for r in runs) * 1000 / clock_ticks,
            sum(r[2] for r in runs), sum(r[3] for r in runs), sum(r[4] for r in runs)]
    return [int("%.0f" % (s / n)) for s in sums]


KUBE_SPLIT_NAMES = ["unidesk, kube.apply per file", "unidesk, one multi-document kube.apply", "kubectl -f DIR/, warm cache",
                    "kubectl -f DIR/ --validate=false", "curl, one after the other", "curl, 8 in flight"]


def kube_multi_concurrent(splits):
    """Whether the multi-document apply sent its objects before the per-object gate calls
    (concurrently): its audit records then account for almost none of its time."""
    return splits[1][2] * 4 < splits[0][2]


def kube_split_table(splits):
    multi = kube_multi_concurrent(splits)
    lines = ["| command | wall | API server + etcd CPU | in requests | unidesk's run | outside the requests |",
             "| --- | --- | --- | --- | --- | --- |"]
    for i, name in enumerate(KUBE_SPLIT_NAMES):
        wall, srv, req, n, run_ = splits[i]
        inreq = runcol = outside = "—"
        if n > 0:
            inreq = "%d ms, %d requests (%.1f ms each)" % (req, n, req / n)
            outside = "%d ms" % (wall - req)
        if i == 5:
            inreq, outside = "— (8 in flight)", "—"
        if i == 1 and multi:
            inreq, outside = "— (sent concurrently before the per-object gate calls; their records: %d ms)" % req, "—"
        if run_ > 0:
            runcol = "%d ms" % run_
        lines.append("| %s | %d ms | %d ms | %s | %s | %s |" % (name, wall, srv, inreq, runcol, outside))
    return "\n".join(lines)


def kube_verdict(doc, i):
    return "**met**" if quotient(doc, i, KUBE_KUBECTL) <= KUBE_TARGET else "**missed**"


def kube_ratio(doc, a, b):
    return "%.2f" % quotient(doc, a, b)


def kube_mratio(doc, a, b):
    return "%.2f" % (median(doc, a) / median(doc, b))


def kube_target_line(c, a, loop, objects):
    parts = []
    for what, doc in (("creating", c), ("re-applying", a)):
        parts.append("%s, per file %s (%s×, %s%s×), multi-document %s (%s×, %s×)" % (
            what, kube_verdict(doc, 0), kube_ratio(doc, 0, 2), "by the medians " if doc is c else "",
            kube_mratio(doc, 0, 2), kube_verdict(doc, 1), kube_ratio(doc, 1, 2), kube_mratio(doc, 1, 2)))
    u, l = stat(c, 0, "mean"), stat(loop, 0, "mean")
    return ("Target (unidesk ≤ 0.5× `kubectl apply --server-side -f DIR/`, warm cache, by the means): %s; %s. "
            "Against kubectl's cold cache unidesk per file takes %s× (creating), and against %d kubectl processes "
            "%.3f× (%.0f times faster)." % (parts[0], parts[1], kube_ratio(c, 0, 3), objects, u / l, l / u))


def kube_reading(c, a, loop, splits, objects, cpus, apply_summary):
    """The analysis paragraph of the kube section, with this run's numbers."""
    N = objects
    multi = kube_multi_concurrent(splits)
    uf_wall, _, uf_req, uf_n, uf_run = splits[0]
    um_req, um_run = splits[1][2], splits[1][4]
    kw_wall, kw_req, kw_n = splits[2][0], splits[2][2], splits[2][3]
    cs_wall, cs_srv, cs_req = splits[4][0], splits[4][1], splits[4][2]
    cp_srv = splits[5][1]

    def per_req(r, n):
        return "%.1f" % (r / n)

    def cpu_ms(doc, i):
        return "%.0f" % (cpu_time(doc, i) * 1000)

    def mdiff(doc):
        ma, sa = stat(doc, 1, "mean"), stat(doc, 1, "stddev")
        mb, sb = stat(doc, 0, "mean"), stat(doc, 0, "stddev")
        return "%+.0f ms (combined sd %.0f ms)" % ((ma - mb) * 1000, math.sqrt(sa * sa + sb * sb) * 1000)

    floor = kube_ratio(c, 5, 2)
    t = ("**The API server sets the floor.** A server-side apply of one of these ConfigMaps cost this server about %s ms of CPU "
         "(kube-apiserver and etcd, on the same %d CPUs as the clients), and a client that applies one object at a time waits for each: "
         "curl sending the bare %d PATCHes one after the other over one connection took %s to create them, %s× the warm kubectl's time "
         "(in the breakdown runs: %d ms of wall time for %d ms of server CPU)") % (
        per_req(cs_srv, N), cpus, N, kube_seconds(stat(c, 5, "mean")), floor, cs_wall, cs_srv)
    t += ", so no client that applies the objects one after the other could reach 0.5× here. " if float(floor) > 0.5 else ". "
    t += ("unidesk (per file) took %s× curl's time creating and %s× re-applying, with %s ms of client CPU (user + sys) against curl's %s ms "
          "and kubectl's %s ms. In its breakdown runs %d of its %d ms went to the %d PATCHes (%s ms each, curl's %s ms; each reuses one "
          "connection), %d ms to process start-up and exit (wall time minus its `ok in` of %d ms), and %d ms to the rest of the recipe: "
          "listing and reading the %d files, parsing the YAML, Lua, and the gate check, audit record and `[write]` line of each call. ") % (
        kube_ratio(c, 0, 5), kube_ratio(a, 0, 5), cpu_ms(c, 0), cpu_ms(c, 5), cpu_ms(c, 2), uf_req, uf_wall, uf_n,
        per_req(uf_req, uf_n), per_req(cs_req, N), uf_wall - uf_run, uf_run, uf_run - uf_req, N)
    if multi:
        says = "at a time" in apply_summary or "oncurren" in apply_summary
        t += ("**The multi-document variant is this build's concurrent path.** %s its %d PATCHes went out before the per-object gate calls "
              "(whose audit records then took %d ms in all), the run took %d ms by its `ok in`, %s× the per-file recipe's median time "
              "creating and %s× re-applying. The per-file recipe passes one object per call and cannot use it. ") % (
            "As the description of `kube.apply` quoted above says, it sends consecutive objects of one kind several at a time:" if says
            else "Although the description of `kube.apply` quoted above does not say so, it sent the objects concurrently:",
            N, um_req, um_run, kube_mratio(c, 1, 0), kube_mratio(a, 1, 0))
    else:
        t += ("The multi-document variant's mean differs from the per-file one's by %s creating and %s re-applying: it saves %d "
              "Lua-to-host calls but still sends one PATCH, with its gate check, audit record and `[write]` line, per object, one "
              "after the other. ") % (mdiff(c), mdiff(a), N)
    t += ("**Where kubectl's time goes.** Against this 1.20 server, which has no server-side field validation, kubectl asks for "
          "/openapi/v3 (404), downloads the OpenAPI v2 document on every run and validates each object against it before sending it. "
          "Without it (`--validate=false`) kubectl used %s ms of client CPU creating instead of %s ms, and %s× the wall time by the means "
          "(%s× by the medians); unidesk used %s ms, curl %s ms. On %d CPUs shared with the API server and etcd, client CPU competes "
          "with the server's work, and part of it overlaps with the server's work after each response: by its `-v=6` log kubectl waited "
          "%d ms in its %d requests (%s ms each) of its %d ms. unidesk validates nothing on the client (the server does, on apply). ") % (
        cpu_ms(c, 4), cpu_ms(c, 2), kube_ratio(c, 4, 2), kube_mratio(c, 4, 2), cpu_ms(c, 0), cpu_ms(c, 5), cpus,
        kw_req, kw_n, per_req(kw_req, kw_n), kw_wall)
    in_flight = ("With 8 PATCHes in flight curl created the %d objects in %s, %s× kubectl's time (medians %s×), and the server used "
                 "%d ms of CPU for them against %d ms one after the other") % (
        N, kube_seconds(stat(c, 6, "mean")), kube_ratio(c, 6, 2), kube_mratio(c, 6, 2), cp_srv, cs_srv)
    if multi:
        t += "**Concurrency is what reaches the target.** " if "met" in kube_verdict(c, 1) else "**Concurrency.** "
        t += in_flight + ("; unidesk's multi-document apply took %s× (medians %s×). A recipe that applies one object per `kube.apply` "
                          "call waits for each in turn (its time outside the requests was %d of %d ms), so to apply many independent "
                          "objects quickly, pass them to one call, as a list or a multi-document YAML. ") % (
            kube_ratio(c, 1, 2), kube_mratio(c, 1, 2), uf_wall - uf_req, uf_wall)
    else:
        missed = "missed" in kube_verdict(c, 0)
        t += ("**What would reach the target: applying independent objects concurrently.** " if missed
              else "**Concurrency would widen the gap.** ")
        t += in_flight + (". This build's `kube.apply` sends its objects one after the other, one blocking request each, although the "
                          "shared transport can run requests concurrently (`HTTPTransport.performAll`, as `registry.head_many` does). "
                          "unidesk's time outside its requests was %d of %d ms in the breakdown runs") % (uf_wall - uf_req, uf_wall)
        if uf_wall - uf_req < 0.3 * uf_wall:
            t += ", so sending the objects of one call a few at a time is the change that "
            t += ("would put unidesk under 0.5× of kubectl here; trimming its per-call work could not. " if missed
                  else "would gain most; trimming its per-call work much less. ")
        else:
            t += (": with this few objects its start-up and per-call work weigh as much as the requests, and trimming them would "
                  "help as much as applying a few objects at a time. ")
    t += ("Re-applying unchanged objects writes nothing (every `resourceVersion` stays); there curl's floor is %s× kubectl's time and "
          "unidesk %s×. The %d-process loop pays a kubectl start-up, a TLS handshake and an OpenAPI download per object: %.0f ms per "
          "object creating, against unidesk's %.1f ms.") % (
        kube_ratio(a, 5, 2), kube_ratio(a, 0, 2), N, stat(loop, 0, "mean") / N * 1000, stat(c, 0, "mean") / N * 1000)
    return t


def read_splits(path):
    """The breakdown file kube.sh writes: one "wall server requests-ms requests run" line per command."""
    with open(path, encoding="utf-8") as f:
        return [[int(x) for x in line.split()] for line in f if line.strip()]


# snapshot.sh's "Reading the figures": the take and restore paragraphs, sentences chosen by
# this run's numbers. The documents are the pass's files in WORK (take.json, restore.json,
# tmpfs-*.json, journal-*.json, cold-*.json, hash.json); P the traced phases, "PREFIX_KIND_NAME"
# → seconds or count (disk_take_stream, tmpfs_restore_rm_count, …), missing where not traced.

class Snapshot:
    def __init__(self, docs, phases_, base, rec_opts, cpus, n_files, discard, no_journal,
                 tmpfs=True, journal=True, cold=True):
        self.d, self.P = docs, phases_
        self.base, self.rec_opts, self.cpus, self.n_files = base, rec_opts, cpus, n_files
        self.discard, self.no_journal = discard, no_journal
        self.tmpfs, self.journal, self.cold = tmpfs, journal, cold

    def p(self, key):
        """A phase's seconds, "1.23 s"; "–" when it was not traced."""
        v = self.P.get(key)
        return "–" if v is None else "%.2f s" % v

    def num(self, key):
        """A phase's value for a comparison; 0 when it was not traced (as awk reads "")."""
        return self.P.get(key, 0.0)

    def pct(self, a, b):
        return "%.0f %%" % (self.P[a] / self.P[b] * 100)

    def rm_text(self, prefix):
        def v(k):
            x = self.P.get("%s_restore_%s" % (prefix, k))
            return "?" if x is None else "%d" % x
        return "%s `rm -rf` processes, %s at once at most" % (v("rm_count"), v("rm_parallel"))

    def judge(self, name, ref, u):
        return judge(self.d[name], ref, u)

    def ratio(self, name, ref, u):
        return ratio(self.d[name], ref, u)

    def take_text(self):
        d, B = self.d, self.base
        t = ("**Take.** Against `tar --create` with unidesk's options (the same archive), on %s with a warm cache, unidesk's take "
             "is at %s; against plain `tar -cf` at %s.") % (B, self.judge("take", 1, 0), self.judge("take", 2, 0))
        if self.tmpfs:
            t += " On the tmpfs, against tar with unidesk's options: %s; against `tar -cf`: %s." % (
                self.judge("tmpfs-take", 1, 0), self.judge("tmpfs-take", 2, 0))
        if self.journal:
            t += " On the journaled ext4, against tar with unidesk's options: %s; against `tar -cf`: %s." % (
                self.judge("journal-take", 1, 0), self.judge("journal-take", 2, 0))
        if self.cold:
            t += " With a cold cache, against tar with unidesk's options: %s." % self.judge("cold-take", 1, 0)
        t += (" The record size counts in these: unidesk has tar write 1 MiB records (`%s`); with its default 10 KiB records tar "
              "itself took %s here, with 1 MiB records %s.") % (
            self.rec_opts, ms(stat(d["take"], 1, "mean")), ms(stat(d["take"], 4, "mean")))
        rec = self.ratio("take", 4, 0)
        t += (" Against tar run exactly as unidesk runs it, 1 MiB records included, with none of unidesk's work (read-back, "
              "checksum, fsync), the take is at %s (fastest runs %s) on %s") % (rec[0], rec[2], B)
        if self.tmpfs:
            r = self.ratio("tmpfs-take", 4, 0)
            t += ", %s (%s) on the tmpfs" % (r[0], r[2])
        if self.journal:
            r = self.ratio("journal-take", 4, 0)
            t += ", %s (%s) on the journaled ext4" % (r[0], r[2])
        t += ": that is what unidesk's own work costs on these %d CPUs." % self.cpus
        sync, like, pipe = self.ratio("take", 5, 0), self.ratio("take", 6, 0), self.ratio("take", 3, 0)
        t += (" Against tar made durable the way the snapshot is (`tar; sync FILE`) it is at %s (%s), against a shell doing its "
              "work in sequence (archive, `sha256sum`, fsync) at %s (%s), and against tar piped into `cat > file` (one more copy "
              "of every byte, which unidesk's take does not make) at %s (%s).") % (sync[0], sync[2], like[0], like[2], pipe[0], pipe[2])
        t += (" Where the time goes, in the traced run on %s: %s of start-up and the size-estimate walk before tar starts; %s of "
              "tar writing the snapshot file while unidesk follows it, against %s for the fastest tar run the same way (1 MiB "
              "records) alone; %s reading the rest after tar's exit; %s for the closing fsync") % (
            B, self.p("disk_take_startup"), self.p("disk_take_stream"), ms(stat(d["take"], 4, "min")),
            self.p("disk_take_catchup"), self.p("disk_take_fsync"))
        sync_extra = stat(d["take"], 5, "min") - stat(d["take"], 1, "min")
        if sync_extra > 0:
            t += ", where the fastest `tar; sync FILE` took %s longer than the fastest tar alone" % ms(sync_extra)
            if "disk_take_fsync" in self.P and sync_extra > self.P["disk_take_fsync"] * 2:
                t += " (the writeback started every 8 MiB as the file grows left the fsync less than half of that)"
        else:
            t += ", where the fastest `tar; sync FILE` was no slower than the fastest tar alone"
        t += "; %s for the manifest, renames and exit." % self.p("disk_take_finish")
        if self.tmpfs:
            t += " On the tmpfs: %s, %s, %s, %s and %s." % tuple(
                self.p("tmpfs_take_" + k) for k in ("startup", "stream", "catchup", "fsync", "finish"))
        take_cpu, tar_cpu = cpu_time(d["take"], 0), cpu_time(d["take"], 4)
        diff = take_cpu - tar_cpu
        t += (" In CPU time unidesk's take (tar's included) used %s per run, tar run the same way alone %s: %s for reading the "
              "archive back, hashing it (`openssl dgst -sha256` alone takes %s for it) and checking its headers, on %d CPUs "
              "that tar shares.") % (ms(take_cpu), ms(tar_cpu), "%.2f s" % diff if diff >= 1 else "%.0f ms" % (diff * 1000),
                                     ms(stat(d["hash"], 1, "mean")), self.cpus)
        return t

    def rest_text(self):
        d, B = self.d, self.base
        t = ("**Restore.** Against `tar -xf` over the volume's current data (in place), on %s with a warm cache, unidesk's restore "
             "is at %s; against `tar -xf` into an empty directory at %s.") % (B, self.judge("restore", 3, 0), self.judge("restore", 1, 0))
        for on, name, flag in (("On the tmpfs", "tmpfs-restore", self.tmpfs), ("On the journaled ext4", "journal-restore", self.journal),
                               ("With a cold cache", "cold-restore", self.cold)):
            if flag:
                t += " %s, against `tar -xf` in place: %s; into an empty directory: %s." % (
                    on, self.judge(name, 2, 0), self.judge(name, 1, 0))
        t += (" The `snapshot.restore` call alone, until the volume holds the new data, is what a rollback's downtime waits for: the "
              "old data's removal comes after it, beside the recipe's next steps (starting the service again), and the run ends "
              "when it is done. Against `tar -xf` into an empty directory the call is at %s on %s") % (self.judge("restore", 1, 4), B)
        if self.tmpfs:
            t += ", %s on the tmpfs" % self.judge("tmpfs-restore", 1, 3)
        if self.journal:
            t += ", %s on the journaled ext4" % self.judge("journal-restore", 1, 3)
        if self.cold:
            t += ", %s cold" % self.judge("cold-restore", 1, 3)
        t += " (the table above has it against `tar -xf` in place too)."
        like = self.ratio("restore", 2, 0)
        t += (" The in-place row is the like-for-like one: a shell restoring a live volume with `tar -xf` gets rid of the old data "
              "too, GNU tar unlinking each existing file before it writes the new one, where unidesk extracts beside the volume, "
              "swaps and then removes the old data; into an empty directory there is nothing to remove. Against the shell gate "
              "doing unidesk's work in sequence (check the whole file, extract into a staging directory, swap, `rm -rf` the old "
              "data) it is at %s (%s).") % (like[0], like[2])
        xf_m, xf_sd = stat(d["restore"], 1, "mean"), stat(d["restore"], 1, "stddev")
        xf_min, ip_min = stat(d["restore"], 1, "min"), stat(d["restore"], 3, "min")
        tmpfs_xf_min = stat(d["tmpfs-restore"], 1, "min") if self.tmpfs else None
        t += (" In the traced run on %s the extraction (the file read through SHA-256 and the header check, and spliced into "
              "`tar -x`) took %s, against %s for the fastest `tar -xf` into an empty directory and %s for the fastest in place; "
              "the removal of the old data took %s of the %s (%s), by %s") % (
            B, self.p("disk_restore_stream"), ms(xf_min), ms(ip_min), self.p("disk_restore_remove"),
            self.p("disk_restore_total"), self.pct("disk_restore_remove", "disk_restore_total"), self.rm_text("disk"))
        if self.tmpfs:
            t += "; on the tmpfs the extraction took %s and the removal %s of %s" % (
                self.p("tmpfs_restore_stream"), self.p("tmpfs_restore_remove"), self.p("tmpfs_restore_total"))
        t += "."
        # The filesystem's part, only where this run's numbers show it: deleting much slower than
        # on the tmpfs (or most of the restore without one), extraction into an empty directory
        # much slower than on the tmpfs (or very uneven without one).
        show_discard = show_allocator = False
        if self.discard and "disk_restore_remove" in self.P:
            if self.tmpfs:
                show_discard = self.num("disk_restore_remove") > self.num("tmpfs_restore_remove") * 2
            else:
                show_discard = self.num("disk_restore_remove") > self.num("disk_restore_total") * 0.2
        if self.no_journal:
            show_allocator = xf_min > tmpfs_xf_min * 2 if self.tmpfs else xf_sd > xf_m * 0.25
        if show_discard:
            if self.tmpfs:
                t += " Deleting is much slower here than on the tmpfs (%s against %s)" % (
                    self.p("disk_restore_remove"), self.p("tmpfs_restore_remove"))
            else:
                t += " The removal is %s of the restore here" % self.pct("disk_restore_remove", "disk_restore_total")
            t += (": the filesystem is mounted with `discard`, and ext4 sends the virtual disk a discard for the extents of every "
                  "file it deletes and waits for it (`blkdev_issue_discard` under `ext4_free_blocks` in `/proc/PID/stack` of an "
                  "`rm -rf`), so removing the old data's %d files is mostly waiting, for unidesk's `rm`s, the chain's `rm -rf` and "
                  "the in-place `tar -xf`'s unlinks alike.") % self.n_files
        if show_allocator:
            t += " It is also" if show_discard else " The filesystem is"
            t += (" an ext4 without a journal, whose inode allocator skips inodes freed in the last 60 s (360 s while their "
                  "inode-table block is dirty, which creating files next to them makes it) and rescans them for every new inode: "
                  "creating tens of thousands of files within minutes of deleting tens of thousands costs seconds to tens of "
                  "seconds of system CPU (`perf` of such a `tar -xf`: 87 % of its CPU in `__ext4_new_inode` → `find_inode_bit` → "
                  "`recently_deleted`), depending on which block groups the new directories land in. Here `tar -xf` into an empty "
                  "directory took ") + "%s (fastest %s)" % (fmt_time(xf_m, xf_sd), ms(xf_min))
            if self.tmpfs:
                t += ", against %s at the fastest on the tmpfs" % ms(tmpfs_xf_min)
            t += (". Every restore row follows some mass deletion by a few minutes at most (unidesk's restore and the chain remove "
                  "the old data, the in-place `tar -xf` unlinks each old file just before it creates the new one; `--prepare` only "
                  "moves the empty-directory `tar -xf`'s previous output aside), so all of them pay it, at random: their means and "
                  "standard deviations mostly measure this, the fastest runs less so")
            if self.tmpfs:
                t += ", the tmpfs rows not at all"
            t += "."
        return t


def snapshot_phase_tables(phases_, base, entries):
    """The two "where unidesk's time goes" tables, the traced run on BASE and on the tmpfs."""
    s = Snapshot({}, phases_, base, "", 0, 0, False, False)

    def rms(prefix):
        c, par = phases_.get(prefix + "_restore_rm_count"), phases_.get(prefix + "_restore_rm_parallel")
        return "–" if c is None else "%d (%s at once)" % (c, "%d" % par if par is not None else "")

    def line(label, key):
        return "| %s | %s | %s |" % (label, s.p("disk_" + key), s.p("tmpfs_" + key))
    head = "| --- | --- | --- |"
    return "\n".join([
        "| phase of the take | %s | tmpfs |" % base, head,
        line("start-up, lock, size estimate (a walk of the tree: %d `lstat`s; skipped where the sources' whole filesystems "
             "certainly fit, as on the tmpfs)" % entries, "take_startup"),
        line("tar → snapshot file, unidesk following it (read back, hash, header check, writeback started every 8 MiB), until tar exits", "take_stream"),
        line("the rest read back after tar's exit, end-of-archive check", "take_catchup"),
        line("fsync of the archive", "take_fsync"),
        line("manifest (written, fsynced), renames, exit", "take_finish"),
        line("**total**", "take_total"),
        "",
        "| phase of the restore | %s | tmpfs |" % base, head,
        line("start-up, lock, manifest, free-space check", "restore_startup"),
        line("snapshot file → unidesk (hash, header check), the same range spliced → pipe → `tar -x` (1 MiB records) into staging", "restore_stream"),
        line("checksum verdict, fsync of the staging directory, swap, fsync of the parent", "restore_swap"),
        line("removal of the old data (the call has returned; the run ends after it)", "restore_remove"),
        "| … by this many `rm -rf` (most at once) | %s | %s |" % (rms("disk"), rms("tmpfs")),
        line("**total**", "restore_total"),
    ])


def mib(data_bytes):
    return "%.1f MiB" % (data_bytes / 1048576)


SNAPSHOT_DOCS = ["take", "restore", "hash", "tmpfs-take", "tmpfs-restore", "journal-take", "journal-restore",
                 "cold-take", "cold-restore"]


def load_snapshot_docs(work, tmpfs, journal, cold):
    """The passes' documents in WORK; a pass that did not run has none."""
    wanted = {"take": True, "restore": True, "hash": True, "tmpfs-take": tmpfs, "tmpfs-restore": tmpfs,
              "journal-take": journal, "journal-restore": journal, "cold-take": cold, "cold-restore": cold}
    return {n: load(os.path.join(work, n + ".json")) for n in SNAPSHOT_DOCS if wanted[n]}


def read_phases(path):
    """"KEY VALUE" lines (snapshot.sh's traced phases) as a dict of numbers."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            k, _, v = line.strip().partition(" ")
            if k and v:
                out[k] = float(v)
    return out


# ---- strace phases ---------------------------------------------------------------------------

LINE = re.compile(r'^(\d+) +(\d+\.\d+) (.*)$')
RESUMED = re.compile(r'<\.\.\. (\w+) resumed>')
DURATION = re.compile(r'<(\d+\.\d+)>$')


def strace_events(lines):
    """(events, exits, main pid, start) of `strace -f -ttt -T` output: events are
    (pid, start, syscall, duration, text), an unfinished call joined with its resumption."""
    pending, events, exits, main, t0 = {}, [], {}, None, None
    for raw in lines:
        m = LINE.match(raw.rstrip("\n"))
        if not m:
            continue
        pid, ts, rest = int(m.group(1)), float(m.group(2)), m.group(3)
        if main is None:
            main, t0 = pid, ts
        if rest.startswith("+++ exited"):
            exits[pid] = ts
            continue
        if rest.endswith("<unfinished ...>"):
            pending[pid] = (ts, rest.split("(", 1)[0], rest[:-len("<unfinished ...>")])
            continue
        r = RESUMED.match(rest)
        if r:
            start, name, head = pending.pop(pid, (ts, r.group(1), ""))
            rest = head + rest[r.end():]
        else:
            start, name = ts, rest.split("(", 1)[0]
        d = DURATION.search(rest)
        events.append((pid, start, name, float(d.group(1)) if d else 0.0, rest))
    return events, exits, main, t0


def phases(kind, lines):
    """A traced `unidesk run` of snapshot.take (kind "take") or restore, cut into phases at
    tar's start and exit, the fsyncs and the swap: [(name, seconds or count)]. The take's
    tar runs under setpriv, which execs it: tar's process is the one whose execve names tar."""
    events, exits, main, t0 = strace_events(lines)
    tar_pid = next(p for p, _, n, _, r in events if n == "execve" and '"tar"' in r and p != main)
    tar_start = min(s for p, s, n, _, _ in events if p == tar_pid and n == "execve")
    tar_end = exits[tar_pid]
    end = exits[main]
    after = [e for e in events if e[0] == main and e[1] >= tar_end]
    out = [("startup", tar_start - t0), ("stream", tar_end - tar_start)]
    if kind == "take":
        f = next(e for e in after if e[2] == "fsync")
        out += [("catchup", f[1] - tar_end), ("fsync", f[3]), ("finish", end - (f[1] + f[3]))]
    else:
        sw = next(e for e in after if e[2] == "renameat2")
        fs = next((e for e in after if e[2] == "fsync" and e[1] >= sw[1]), sw)
        swapped = fs[1] + fs[3]
        out += [("swap", swapped - tar_end), ("remove", end - swapped)]
        # the rm processes removing the old data, and how many of them ran at once at most
        rms = {p: s for p, s, n, _, r in events
               if n == "execve" and r.startswith('execve("') and '["rm"' in r and s >= swapped and " = 0" in r}
        spans = [(s, exits.get(p, end)) for p, s in rms.items()]
        out += [("rm_count", len(spans)),
                ("rm_parallel", max((sum(1 for a, b in spans if a <= s < b) for s, _ in spans), default=0))]
    out.append(("total", end - t0))
    return out


# ---- top -------------------------------------------------------------------------------------

def other_processes(top_output, threshold=5.0):
    """"name N %, …" of the processes using at least `threshold` % of a CPU in the second
    frame of `top -b -n 2` (the first frame's figures are since boot); "none" when none."""
    frame, found = 0, []
    for line in top_output.splitlines():
        if line.startswith("top -"):
            frame += 1
            continue
        f = line.split()
        if frame == 2 and len(f) >= 12 and f[0].isdigit() and f[11] != "top":
            try:
                cpu = float(f[8])
            except ValueError:
                continue
            if cpu >= threshold:
                found.append("%s %.0f %%" % (f[11], cpu))
    return ", ".join(found) or "none"


# ---- the machine ----------------------------------------------------------------------------

def busy(load_start, load_end, cpus):
    """Whether something else was running: the 1-minute load average above half the CPUs at the
    start, or above that plus 1 (the benchmark itself) at the end. Loads are /proc/loadavg's
    first three fields, "0.52 0.40 0.33"."""
    a, b = float(load_start.split()[0]), float(load_end.split()[0])
    return a > cpus / 2 or b > cpus / 2 + 1


# ---- command line ----------------------------------------------------------------------------

def main(argv=None):
    p = argparse.ArgumentParser(prog="benchlib.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    def doc_args(s, *names):
        s.add_argument("json")
        for n in names:
            s.add_argument(n, type=int)
        return s

    s = sub.add_parser("merge", help="OUT IN...: hyperfine documents of several rounds as one")
    s.add_argument("out")
    s.add_argument("inputs", nargs="+")
    s = sub.add_parser("add-call", help="JSON PRIMITIVE REPORT...: append the call's durations from run reports")
    s.add_argument("json")
    s.add_argument("primitive")
    s.add_argument("reports", nargs="*")
    s.add_argument("--name", required=True)
    doc_args(sub.add_parser("ratio", help="JSON REF UNIDESK: 'r sd rmin'"), "ref", "unidesk")
    doc_args(sub.add_parser("judge", help="JSON REF UNIDESK: the ratio and its verdict"), "ref", "unidesk")
    s = doc_args(sub.add_parser("cell", help="JSON REF UNIDESK: a summary cell; '–' when JSON is missing"), "ref", "unidesk")
    s = sub.add_parser("verdict", help="R SD FASTEST: the verdict against the target")
    s.add_argument("r")
    s.add_argument("sd")
    s.add_argument("fastest")
    s.add_argument("--short", action="store_true")
    s = doc_args(sub.add_parser("row", help="JSON INDEX NAME [WHAT]: a table row"), "index")
    s.add_argument("name")
    s.add_argument("--what")
    s.add_argument("--vs", type=int, help="the unidesk result this row's ratio is against")
    s.add_argument("--bytes", type=int, required=True, help="data bytes, for the throughput")
    s = doc_args(sub.add_parser("call-row", help="JSON CALL INPLACE FRESH NAME: the restore call's row"),
                 "call", "inplace", "fresh")
    s.add_argument("name")
    s.add_argument("--what")
    s.add_argument("--bytes", type=int, required=True)
    s = doc_args(sub.add_parser("stat", help="JSON INDEX FIELD: one statistic"), "index")
    s.add_argument("field")
    doc_args(sub.add_parser("cpu", help="JSON INDEX: user + system seconds, or null"), "index")
    doc_args(sub.add_parser("runs", help="JSON: timed runs of the first command"))
    s = sub.add_parser("fmt-time", help="MEAN SD")
    s.add_argument("mean", type=float)
    s.add_argument("sd", type=float)
    s = sub.add_parser("ms", help="SECONDS")
    s.add_argument("seconds", type=float)
    s = sub.add_parser("phases", help="KIND STRACE-OUTPUT: 'name value' lines")
    s.add_argument("kind", choices=["take", "restore"])
    s.add_argument("trace")
    sub.add_parser("others", help="top -b -n 2 output on stdin: the busy other processes")
    s = sub.add_parser("lua-table", help="--program NAME WHAT JSON ...: the Lua VM table")
    s.add_argument("--program", nargs=3, action="append", required=True, metavar=("NAME", "WHAT", "JSON"))
    s = sub.add_parser("startup-table", help="--pair WHAT JSON TARGET ...: the start-up table (TARGET 0: none)")
    s.add_argument("--pair", nargs=3, action="append", default=[], metavar=("WHAT", "JSON", "TARGET"))
    s = sub.add_parser("registry-table", help="FAST SKOPEO N: the registry table")
    s.add_argument("fast")
    s.add_argument("skopeo")
    s.add_argument("n", type=int)
    doc_args(sub.add_parser("pg-inserts", help="JSON ROWS: the inserts table"), "rows")
    doc_args(sub.add_parser("pg-smoke", help="JSON MIGRATIONS: the smoke table"), "migrations")
    doc_args(sub.add_parser("pg-batch", help="JSON ROWS: the batch (pipeline) table"), "rows")
    doc_args(sub.add_parser("pg-unpinned", help="JSON: psql's unpinned time ÷ its pinned time, 'N.N×'"))
    s = sub.add_parser("pg-split", help="--run MS --wall MS ...: 'rest ms' line, then the sentence (two empty lines without runs)")
    s.add_argument("--run", type=float, action="append", default=[], help="a run's `ok in` in ms")
    s.add_argument("--wall", type=float, action="append", default=[], help="that run's process wall time in ms")
    s = sub.add_parser("pg-reading", help="INSERTS SMOKE ROWS [--split-rest MS]: the reading paragraph")
    s.add_argument("inserts")
    s.add_argument("smoke")
    s.add_argument("rows", type=int)
    s.add_argument("--split-rest", default="")
    s = sub.add_parser("kube-table", help="JSON OBJECTS NAME...: a creating or re-applying table")
    s.add_argument("json")
    s.add_argument("objects", type=int)
    s.add_argument("names", nargs="+")
    s = sub.add_parser("kube-loop-table", help="LOOP CREATE REAPPLY OBJECTS: the kubectl-loop table")
    for n in ("loop", "create", "reapply"):
        s.add_argument(n)
    s.add_argument("objects", type=int)
    s = sub.add_parser("kube-requests", help="KIND FILE: 'ms-in-requests requests run-ms' of one breakdown run")
    s.add_argument("kind", choices=["unidesk", "kubectl", "curl"])
    s.add_argument("file")
    s = sub.add_parser("kube-breakdown", help="CLK_TCK RUN...: each RUN 'wall-µs ticks req-ms requests run-ms'; the means")
    s.add_argument("clock_ticks", type=int)
    s.add_argument("runs", nargs="+")
    sub.add_parser("kube-split-table", help="SPLITS: the where-the-time-goes table").add_argument("splits")
    s = sub.add_parser("kube-reading", help="CREATE REAPPLY LOOP SPLITS OBJECTS CPUS APPLY-SUMMARY: the target line and the analysis")
    for n in ("create", "reapply", "loop", "splits"):
        s.add_argument(n)
    s.add_argument("objects", type=int)
    s.add_argument("cpus", type=int)
    s.add_argument("apply_summary")
    s = sub.add_parser("snapshot-reading", help="WORK PHASES ...: the take and restore paragraphs")
    s.add_argument("work", help="the directory holding the passes' JSON documents")
    s.add_argument("phases", help="the traced phases, 'KEY VALUE' lines")
    s.add_argument("--base", required=True)
    s.add_argument("--rec-opts", required=True)
    s.add_argument("--cpus", type=int, required=True)
    s.add_argument("--files", type=int, required=True)
    s.add_argument("--discard", action="store_true", help="the filesystem is mounted with discard")
    s.add_argument("--no-journal-fs", action="store_true", help="the filesystem is an ext4 without a journal")
    s.add_argument("--skip", action="append", default=[], choices=["tmpfs", "journal", "cold"], help="a pass that did not run")
    s = sub.add_parser("snapshot-phases", help="PHASES --base B --entries N: the two phase tables")
    s.add_argument("phases")
    s.add_argument("--base", required=True)
    s.add_argument("--entries", type=int, required=True)
    sub.add_parser("mib", help="BYTES: 'N.N MiB'").add_argument("bytes", type=int)
    sub.add_parser("gib", help="BYTES: 'N.NN' GiB").add_argument("bytes", type=int)
    s = sub.add_parser("rate", help="BYTES SECONDS: 'N MiB/s'")
    s.add_argument("bytes", type=int)
    s.add_argument("seconds", type=float)
    s = sub.add_parser("busy", help="LOAD-START LOAD-END CPUS: exit 0 when the machine was busy, 1 when not")
    s.add_argument("load_start")
    s.add_argument("load_end")
    s.add_argument("cpus", type=int)
    sub.add_parser("ok-in-ms", help="a run's stderr on stdin: the milliseconds of its last line's 'ok in …'; exit 1 if none")

    a = p.parse_args(argv)
    out = sys.stdout
    if a.cmd == "merge":
        merged = merge_rounds([load(f) for f in a.inputs])
        with open(a.out, "w", encoding="utf-8") as f:
            json.dump(merged, f)
    elif a.cmd == "add-call":
        doc = load(a.json)
        times = call_durations([load(r) for r in a.reports], a.primitive)
        n = runs_of(doc)
        if len(times) != n:
            print("benchlib.py: %s: %d %s calls in the reports for %d timed runs" % (a.json, len(times), a.primitive, n),
                  file=sys.stderr)
            return 1
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(add_result(doc, a.name, times), f)
    elif a.cmd == "ratio":
        print(*ratio(load(a.json), a.ref, a.unidesk), file=out)
    elif a.cmd == "judge":
        print(judge(load(a.json), a.ref, a.unidesk), file=out)
    elif a.cmd == "cell":
        try:
            doc = load(a.json)
        except FileNotFoundError:
            doc = None
        print(cell(doc, a.ref, a.unidesk), file=out)
    elif a.cmd == "verdict":
        print((short_verdict if a.short else verdict)(a.r, a.sd, a.fastest), file=out)
    elif a.cmd == "row":
        print(row(load(a.json), a.index, a.name, a.what, a.bytes, a.vs), file=out)
    elif a.cmd == "call-row":
        print(call_row(load(a.json), a.call, a.inplace, a.fresh, a.name, a.what, a.bytes), file=out)
    elif a.cmd == "stat":
        print(json.dumps(stat(load(a.json), a.index, a.field)), file=out)
    elif a.cmd == "cpu":
        c = cpu_time(load(a.json), a.index)
        print("null" if c is None else c, file=out)
    elif a.cmd == "runs":
        print(runs_of(load(a.json)), file=out)
    elif a.cmd == "fmt-time":
        print(fmt_time(a.mean, a.sd), file=out)
    elif a.cmd == "ms":
        print(ms(a.seconds), file=out)
    elif a.cmd == "phases":
        with open(a.trace, encoding="utf-8") as f:
            for k, v in phases(a.kind, f):
                print(k, v, file=out)
    elif a.cmd == "others":
        print(other_processes(sys.stdin.read()), file=out)
    elif a.cmd == "lua-table":
        print(lua_table([(n, w, load(j)) for n, w, j in a.program]), file=out)
    elif a.cmd == "startup-table":
        print(startup_table([(w, load(j), float(t) or None) for w, j, t in a.pair]), file=out)
    elif a.cmd == "registry-table":
        print(registry_table(load(a.fast), load(a.skopeo), a.n), file=out)
    elif a.cmd == "pg-inserts":
        print(pg_inserts_table(load(a.json), a.rows), file=out)
    elif a.cmd == "pg-batch":
        print(pg_batch_table(load(a.json), a.rows), file=out)
    elif a.cmd == "pg-smoke":
        print(pg_smoke_table(load(a.json), a.migrations), file=out)
    elif a.cmd == "pg-unpinned":
        print(pg_unpinned_over_pinned(load(a.json)), file=out)
    elif a.cmd == "pg-split":
        sentence, rest = pg_split(a.run, a.wall)
        print(rest, file=out)
        print(sentence, file=out)
    elif a.cmd == "pg-reading":
        print(pg_reading(load(a.inserts), load(a.smoke), a.rows, a.split_rest), file=out)
    elif a.cmd == "kube-table":
        print(kube_table(load(a.json), a.names, a.objects), file=out)
    elif a.cmd == "kube-loop-table":
        print(kube_loop_table(load(a.loop), load(a.create), load(a.reapply), a.objects), file=out)
    elif a.cmd == "kube-requests":
        with open(a.file, encoding="utf-8") as f:
            print(*(awk_number(x) for x in kube_requests(a.kind, f.read())), file=out)
    elif a.cmd == "kube-breakdown":
        print(*kube_breakdown([[float(x) for x in r.split()] for r in a.runs], a.clock_ticks), file=out)
    elif a.cmd == "kube-split-table":
        print(kube_split_table(read_splits(a.splits)), file=out)
    elif a.cmd == "kube-reading":
        c, r, l, s = load(a.create), load(a.reapply), load(a.loop), read_splits(a.splits)
        print(kube_target_line(c, r, l, a.objects), file=out)
        print(file=out)
        print(kube_reading(c, r, l, s, a.objects, a.cpus, a.apply_summary), file=out)
    elif a.cmd == "snapshot-reading":
        tmpfs, journal, cold = ("tmpfs" not in a.skip), ("journal" not in a.skip), ("cold" not in a.skip)
        s = Snapshot(load_snapshot_docs(a.work, tmpfs, journal, cold), read_phases(a.phases), a.base, a.rec_opts, a.cpus,
                     a.files, a.discard, a.no_journal_fs, tmpfs, journal, cold)
        print(s.take_text(), file=out)
        print(file=out)
        print(s.rest_text(), file=out)
    elif a.cmd == "snapshot-phases":
        print(snapshot_phase_tables(read_phases(a.phases), a.base, a.entries), file=out)
    elif a.cmd == "mib":
        print(mib(a.bytes), file=out)
    elif a.cmd == "gib":
        print("%.2f" % (a.bytes / 2 ** 30), file=out)
    elif a.cmd == "rate":
        print(rate(a.bytes, a.seconds), file=out)
    elif a.cmd == "busy":
        return 0 if busy(a.load_start, a.load_end, a.cpus) else 1
    elif a.cmd == "ok-in-ms":
        lines = sys.stdin.read().splitlines()
        v = ok_in_ms(lines[-1]) if lines else None
        if v is None:
            return 1
        print(v, file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
