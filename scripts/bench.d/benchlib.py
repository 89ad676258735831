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
    return 0


if __name__ == "__main__":
    sys.exit(main())
