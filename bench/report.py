#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark's raw results into BENCHMARKS.md and a table on stdout.

usage: bench/report.py --guest DIR --host DIR --out FILE [--seconds N] [--smoke]

--guest is what bench/guest.sh wrote (see its header), --host what
bench/run.sh wrote on the host (model.ndjson, callgrind.json,
callgrind.out). Medians are over the rounds (overhead) or tries (start-up);
ratios are of medians. Goals are judged on the figures and, where one is
missed, the report says why from the diagnostics the run collected.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys

VARIANTS = [
    ("untraced", "no probes"),
    ("kprobe", "kprobe floor: empty kprobe + kretprobe on get and put (bench/floor)"),
    ("fentry", "trampoline floor: empty fentry + fexit on get and put (bench/floor)"),
    ("trace", "`tdvtrace trace > /dev/null`"),
    ("hist", "`tdvtrace hist` (in-kernel histograms)"),
    ("bpftrace", "bench/refcount.bt, a line per call (`bpftrace ... refcount.bt 1 > /dev/null`)"),
    ("bpftrace-quiet", "bench/refcount.bt, maps only (`refcount.bt 0`)"),
]
STARTUP_TOOLS = [
    ("tdvtrace-trace", "`tdvtrace trace`"),
    ("tdvtrace-hist", "`tdvtrace hist`"),
    ("floor-fentry", "minimal libbpf program, 4 fentry/fexit (bench/floor)"),
    ("floor-kprobe", "minimal libbpf program, 4 kprobe/kretprobe"),
    ("bpftrace", "bpftrace refcount.bt (kprobes)"),
]
MODES = ("hold", "fresh")
# What each tdvtrace variant's programs do per call, for the goals' whys.
WORK = {
    "trace": "tdvtrace's programs also read the kernel's refcount back from kvmfd_xa, walk "
             "the fd table for the struct kvm, keep generation and owner maps and write a "
             "ring-buffer record per call, and trace trans_devid_alloc and trans_devid_free "
             "as well (the fresh pairs call both)",
    "hist": "tdvtrace hist's programs keep a start record per call in an LRU hash and add "
            "to a per-CPU histogram hash, on trans_devid_alloc too",
}
RSS_STEP = 1.10  # a one-time step allowed between the first and the last sample
RSS_SLOPE = 1.01  # growth allowed over the second half of the churn


def ndjson(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def text(path, default=""):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return default


def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def med(xs):
    return statistics.median(xs) if xs else None


def fmt_ns(x):
    return "n/a" if x is None else ("%.0f" % x if x >= 100 else "%.1f" % x)


def fmt_added(ns):
    return "nothing measurable" if ns is None or ns < 50 else "%s ns" % fmt_ns(ns)


def fmt_ratio(a, b):
    return "n/a" if a is None or not b else "%.2f×" % (a / b)


def verdict(ok):
    return "n/a" if ok is None else ("**met**" if ok else "**missed**")


class Results:
    def __init__(self, guest, host):
        self.guest, self.host = guest, host
        self.avail = {d["variant"]: d for d in ndjson(os.path.join(guest, "avail.ndjson"))}
        self.info = dict(
            line.split(": ", 1) for line in text(os.path.join(guest, "info")).splitlines()
            if ": " in line)
        self.rounds = {}
        self.failed = {}
        for d in ndjson(os.path.join(guest, "overhead.ndjson")):
            if d.get("failed"):
                self.failed[d["variant"]] = self.failed.get(d["variant"], 0) + 1
            elif "ns_per_pair" in d:
                self.rounds.setdefault((d["variant"], d["mode"]), []).append(d["ns_per_pair"])
        self.progstats = ndjson(os.path.join(guest, "progstats.ndjson"))
        self.lines = ndjson(os.path.join(guest, "lines.ndjson"))
        self.startup = {}
        for d in ndjson(os.path.join(guest, "startup.ndjson")):
            if d.get("attach_ms") is not None and (not d.get("tracer_rc") or d.get("killed")):
                self.startup.setdefault(d["variant"], []).append(d["attach_ms"])
        self.sessions = ndjson(os.path.join(guest, "sessions.ndjson"))
        self.rss = [d for d in ndjson(os.path.join(guest, "rss.ndjson")) if "lifecycles" in d]
        self.churn_end = ([d for d in ndjson(os.path.join(guest, "rss.ndjson"))
                           if "reports" in d] or [{}])[0]
        self.model = ndjson(os.path.join(host, "model.ndjson"))
        cg = ndjson(os.path.join(host, "callgrind.json"))
        self.cg_events = cg[0]["events"] if cg else None
        m = re.search(r"^(?:summary|totals): (\d+)", text(os.path.join(host, "callgrind.out")),
                      re.M)
        self.cg_ir = int(m.group(1)) if m else None

    def ns(self, variant, mode):
        return med(self.rounds.get((variant, mode), []))

    def spread(self, variant, mode):
        xs = self.rounds.get((variant, mode), [])
        return (min(xs), max(xs), len(xs)) if xs else None

    def available(self, variant):
        a = self.avail.get(variant)
        return a is None or a.get("available", False)

    def why_na(self, variant):
        a = self.avail.get(variant, {})
        return a.get("why", "not run")

    def tdv_lost(self, variant):
        """Median share of events tdvtrace lost per round (ring buffer full)."""
        shares = []
        errdir = os.path.join(self.guest, "err")
        for name in sorted(os.listdir(errdir)) if os.path.isdir(errdir) else []:
            if not re.fullmatch(re.escape(variant) + r"\.round\d+", name):
                continue
            m = re.search(r"tdvtrace: (\d+) (?:events|calls), (\d+) lost",
                          text(os.path.join(errdir, name)))
            if m:
                got, lost = int(m.group(1)), int(m.group(2))
                shares.append(lost / (got + lost) if got + lost else 0.0)
        return med(shares)

    def bt_lost(self, variant, mode):
        for d in self.lines:
            if d["variant"] == variant and d["mode"] == mode and "lost" in d:
                total = d["lines"] + d["lost"]
                return d["lost"] / total if total else 0.0
        return None

    def bpf_ns(self, variant, mode):
        """BPF program time per pair in the diagnostic pass, and the top programs."""
        progs = [d for d in self.progstats
                 if d["variant"] == variant and d["mode"] == mode and d["run_cnt"]]
        if not progs:
            return None, None, []
        pairs = progs[0]["pairs"]
        total = sum(d["run_time_ns"] for d in progs) / pairs
        top = sorted(progs, key=lambda d: -d["run_time_ns"])
        return total, progs[0]["ns_per_pair"], [
            (d["name"], d["run_time_ns"] / d["run_cnt"], d["run_cnt"] / pairs) for d in top]


def overhead_section(r, out):
    out.append("## 1. Overhead per traced call\n")
    out.append(
        "`tdvctl bench` runs N get/put pairs on one VM in the simulator's kernel loop and "
        "reports ns per pair. **hold**: one extra ref is held, each pair goes 1→2→1 (the "
        "cheapest path); **fresh**: each pair goes 0→1→0, allocating and freeing a "
        "trans_devid. Each round starts every variant's tracer, waits until it is attached, "
        "runs both modes, stops it; the variant order rotates per round and the mode order "
        "alternates. Figures are medians over rounds (min–max in brackets); ratios are of "
        "medians.\n")
    out.append("| variant | what runs | hold ns/pair | × untraced | × kprobe floor "
               "| fresh ns/pair | × untraced | × kprobe floor |")
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for v, what in VARIANTS:
        if not r.available(v):
            out.append("| %s | %s | n/a: %s | | | | | |" % (v, what, r.why_na(v)))
            continue
        cells = [v, what]
        for mode in MODES:
            x, sp = r.ns(v, mode), r.spread(v, mode)
            if x is None:
                cells += ["failed" if v in r.failed else "n/a", "", ""]
                continue
            cells.append("%s (%s–%s)" % (fmt_ns(x), fmt_ns(sp[0]), fmt_ns(sp[1])))
            cells.append(fmt_ratio(x, r.ns("untraced", mode)))
            cells.append(fmt_ratio(x, r.ns("kprobe", mode)))
        out.append("| " + " | ".join(cells) + " |")
    nrounds = max((len(x) for x in r.rounds.values()), default=0)
    out.append("\nRounds: %d. Failed sessions: %s.\n" % (
        nrounds, ", ".join("%s ×%d" % kv for kv in sorted(r.failed.items())) or "none"))
    killed = {}
    for d in r.sessions:
        if d.get("killed") and d.get("attach_ms") is not None:
            killed[d["variant"]] = killed.get(d["variant"], 0) + 1
    if killed:
        out.append("Ignored SIGINT and were killed after 60 s (their figures stand: they "
                   "were taken before the stop): %s, over all sessions of the run "
                   "(rounds, diagnostics, start-up).\n"
                   % ", ".join("%s ×%d" % kv for kv in sorted(killed.items())))

    lost = []
    for v in ("trace", "hist"):
        share = r.tdv_lost(v)
        if share is not None and r.available(v) and (v == "trace" or share > 0):
            lost.append("`tdvtrace %s` lost %.1f%% of its events (median per round; "
                        "ring buffer full, counted by tdvtrace)" % (v, 100 * share))
    for mode in MODES:
        share = r.bt_lost("bpftrace", mode)
        if share is not None:
            lost.append("bpftrace (a line per call) lost %.1f%% of its lines in %s mode "
                        "(diagnostic pass, its \"Lost N events\")" % (100 * share, mode))
    if lost:
        out.append("Event loss: " + "; ".join(lost) + ". A tracer that loses events skips "
                   "only the copy into its buffer (the probe's work is done by then), so "
                   "its figure stays close to its full cost; the loop produces events faster "
                   "than the reader drains them, and a round fills a 4 MiB ring buffer.\n")

    rows = []
    for v, _ in VARIANTS[1:]:
        for mode in MODES:
            total, with_stats, top = r.bpf_ns(v, mode)
            if total is None:
                continue
            rows.append("| %s | %s | %s | %s | %s |" % (
                v, mode, fmt_ns(with_stats), fmt_ns(total),
                ", ".join("%s %s ns × %.2g" % (n, fmt_ns(ns), per) for n, ns, per in top[:4])))
    if rows:
        out.append("### Where the time goes\n")
        out.append(
            "A separate pass (N/10 pairs, not in the table above) with "
            "`kernel.bpf_stats_enabled=1`: the kernel's run time of each BPF program, per "
            "pair. What the programs take against what the pair costs tells the tracer's "
            "own work from the attach mechanism's (statistics make every call slower).\n")
        out.append("| variant | mode | ns/pair (stats on) | in BPF programs, ns/pair "
                   "| programs: ns per run × runs per pair |")
        out.append("| --- | --- | ---: | ---: | --- |")
        out += rows
        out.append("")


def throughput_section(r, out):
    out.append("## 2. Userspace throughput\n")
    out.append(
        "`bench/model_bench` feeds a synthetic stream of raw `struct tdv_event` records "
        "(4 VMMs churning VMs with 1–3 vIOMMUs over two segments, shaped like the "
        "simulator's traces; timestamps 0.5–3.5 µs apart, so the 100 ms reorder window "
        "holds ~50k records) through `tdv_feed_event` → reorder → state model → detectors, "
        "ticking every 1024 events as the poll loop does, pinned to one core. Instructions "
        "per event: callgrind, counting `feed_batch()` alone.\n")
    if not r.model:
        out.append("No throughput figures (model_bench did not run).\n")
        return
    rates = [d["events_per_s"] for d in r.model]
    out.append("| events | runs | events/s (median) | min–max | instructions/event "
               "| reports | peak RSS |")
    out.append("| ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    ipe = r.cg_ir / r.cg_events if r.cg_ir and r.cg_events else None
    out.append("| %d | %d | %.2f M | %.2f–%.2f M | %s | %d | %d KiB |" % (
        r.model[0]["events"], len(rates), med(rates) / 1e6, min(rates) / 1e6,
        max(rates) / 1e6, "%.0f" % ipe if ipe else "n/a",
        max(d["reports"] for d in r.model), max(d["maxrss_kb"] for d in r.model)))
    out.append("\n(reports must be 0: the stream is clean, so no detector fires and the "
               "figure is the steady-state path.)\n")


def hot_functions(host):
    """The self cost of each function callgrind saw: (file, function, %), largest first."""
    path = os.path.join(host, "callgrind.out")
    if not os.path.exists(path) or not shutil.which("callgrind_annotate"):
        return []
    rows = []
    for line in run(["callgrind_annotate", "--threshold=100", path]).splitlines():
        m = re.match(r"\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(\S+?):(\S+)", line)
        if m and "PROGRAM TOTALS" not in line:
            rows.append((os.path.basename(m.group(3)), m.group(4), float(m.group(2))))
    return rows


def startup_section(r, out):
    out.append("## 3. Start-up\n")
    out.append(
        "ms from fork+exec to the tool's \"attached\" line on stderr (printed once every "
        "link exists; for bpftrace, its BEGIN probe's output, which it handles only after "
        "attaching everything), measured by `bench/startup` in the guest; median over "
        "tries, tools in rotating order.\n")
    out.append("| tool | what | ms (median) | min–max | × minimal libbpf (fentry) "
               "| × minimal libbpf (kprobe) |")
    out.append("| --- | --- | ---: | --- | ---: | ---: |")
    base_f = med(r.startup.get("floor-fentry", []))
    base_k = med(r.startup.get("floor-kprobe", []))
    for tool, what in STARTUP_TOOLS:
        xs = r.startup.get(tool)
        if not xs:
            out.append("| %s | %s | n/a | | | |" % (tool, what))
            continue
        out.append("| %s | %s | %.0f | %.0f–%.0f | %s | %s |" % (
            tool, what, med(xs), min(xs), max(xs), fmt_ratio(med(xs), base_f),
            fmt_ratio(med(xs), base_k)))
    attached = re.search(r"tdvtrace: attached ([^;\n]*)",
                         text(os.path.join(r.guest, "err", "tdvtrace-trace.try1")))
    if attached:
        out.append("\n`tdvtrace trace` attached %s.\n" % attached.group(1))
    else:
        out.append("")


def rss_section(r, out):
    out.append("## 4. Memory\n")
    out.append(
        "`tdvtrace leaks --json` attached while `tdvctl churn --viommus 3 --procs 3 "
        "--serialize` runs VM lifecycles in chunks (a fresh seed each) on the corrected "
        "simulator (`fixed=1`, so a clean system reports nothing; serialized, so tdvtrace "
        "keeps a vCPU and loses nothing); 1 s after each chunk (past the grace period) its "
        "VmRSS and VmHWM from /proc.\n")
    if not r.rss:
        out.append("No memory figures.\n")
        return
    out.append("| lifecycles | VmRSS KiB | VmHWM KiB | churn s (this chunk) |")
    out.append("| ---: | ---: | ---: | ---: |")
    for d in r.rss:
        out.append("| %d | %d | %d | %.1f |" % (d["lifecycles"], d["vmrss_kb"], d["vmhwm_kb"],
                                                float(d["churn_s"])))
    end = r.churn_end
    if "reports" in end:
        out.append("\nOver the whole churn `tdvtrace leaks` took %s events, lost %s and "
                   "printed %d reports.\n" % (end.get("events"), end.get("lost"),
                                               end["reports"]))
    else:
        out.append("")


def goals(r, smoke):
    """(goal, target, measured, ok, why) rows."""
    rows = []
    fl = {m: r.ns("kprobe", m) for m in MODES}
    unt = {m: r.ns("untraced", m) for m in MODES}
    ff = {m: r.ns("fentry", m) for m in MODES}

    def why_cost(v, m, limit):
        total, _, top = r.bpf_ns(v, m)
        floor_add = fl[m] - unt[m] if fl[m] and unt[m] else None
        parts = []
        if total is not None and floor_add is not None:
            parts.append(
                "its BPF programs alone run %s ns per pair (%s), while the whole "
                "kprobe mechanism adds %s and the fentry trampolines %s" % (
                    fmt_ns(total),
                    ", ".join("%s %s ns" % (n, fmt_ns(ns * per)) for n, ns, per in top[:3]),
                    fmt_added(floor_add), fmt_added(ff[m] - unt[m] if ff[m] else None)))
        share = r.tdv_lost(v)
        if share:
            parts.append("it lost %.0f%% of its events (ring buffer full)" % (100 * share))
        return "; ".join(parts)

    for v, limit in (("trace", 1.5), ("hist", 1.2)):
        for m in MODES:
            x = r.ns(v, m)
            ok = x / fl[m] <= limit if x and fl[m] else None
            rows.append(("%s within %.1f× the kprobe floor, %s" % (v, limit, m),
                         "≤ %.1f×" % limit, fmt_ratio(x, fl[m]), ok,
                         why_cost(v, m, limit) if ok is False else ""))
    for v, bt in (("trace", "bpftrace"), ("hist", "bpftrace-quiet")):
        for m in MODES:
            x, b = r.ns(v, m), r.ns(bt, m)
            ok = b / x >= 2 if x and b else None
            added = ""
            if x and b and unt[m]:
                added = "; on the cost added to the untraced pair: %s" % fmt_ratio(
                    b - unt[m], x - unt[m])
            why = ""
            if ok is False:
                total, _, _ = r.bpf_ns(v, m)
                bt_total, _, _ = r.bpf_ns(bt, m)
                why = ("%s's BPF programs run %s ns per pair against %s's %s ns (%s); %s; "
                       "the untraced pair (%s ns) and the attach (fentry %s against kprobe "
                       "%s a pair) add to both sides" % (
                           v, fmt_ns(total), bt, fmt_ns(bt_total),
                           fmt_ratio(bt_total, total), WORK[v], fmt_ns(unt[m]),
                           fmt_added(ff[m] - unt[m] if ff[m] else None),
                           fmt_added(fl[m] - unt[m] if fl[m] else None)))
                if unt[m] and b < 2 * unt[m]:
                    why += ("; and the untraced pair alone costs %s ns, so against %s's %s "
                            "no tracer could be 2× cheaper" % (fmt_ns(unt[m]), bt, fmt_ns(b)))
            rows.append(("%s at least 2× cheaper than %s, %s" % (v, bt, m), "≥ 2×",
                         ("%s%s" % (fmt_ratio(b, x), added)) if x and b else
                         "n/a" + ("" if r.available(bt) else " (%s)" % r.why_na(bt)), ok, why))

    rates = [d["events_per_s"] for d in r.model]
    rate = med(rates)
    ok = rate >= 5e6 if rate else None
    why = ""
    if ok is False:
        hot = hot_functions(r.host)
        if hot:
            why = "callgrind's hottest functions (self cost): " + ", ".join(
                "%s (%s) %.0f%%" % (fn, f, pct) for f, fn, pct in hot[:5])
            reorder = sum(pct for f, _, pct in hot if f == "reorder.c")
            if reorder >= 25:
                why += ("; %.0f%% of all instructions are in reorder.c, the min-heap that "
                        "holds every record of the last 100 ms to put them back in "
                        "timestamp order and copies whole struct tdv_event records on "
                        "every sift" % reorder)
    rows.append(("pipeline throughput", "≥ 5 M events/s",
                 "%.2f M events/s" % (rate / 1e6) if rate else "n/a", ok, why))

    st = {k: med(v) for k, v in r.startup.items()}
    t, f = st.get("tdvtrace-trace"), st.get("floor-fentry")
    ok = t / f <= 1.5 if t and f else None
    why = ""
    if ok is False:
        k = st.get("floor-kprobe")
        links = len([d for d in r.progstats if d["variant"] == "trace" and d["mode"] == "hold"])
        why = ("the floor loads and attaches 4 empty fentry/fexit programs in %.0f ms (%.0f "
               "with kprobes), ~%.0f ms a program under TCG; `tdvtrace trace` loads %s "
               "programs, which at that rate alone is ~%s ms of its %.0f, and besides detects "
               "its probes (kallsyms, vmlinux and module BTF), verifies larger programs and "
               "runs the discovery iterator over every segment and process"
               % (f, k or 0, f / 4, links or "its", "%.0f" % (links * f / 4) if links else "?",
                  t))
    rows.append(("start-up within 1.5× the minimal libbpf program", "≤ 1.5×",
                 "%s (%.0f vs %.0f ms)" % (fmt_ratio(t, f), t, f) if t and f else "n/a",
                 ok, why))

    ok, measured, why = None, "n/a", ""
    if len(r.rss) >= 2:
        # Flat: no growth per lifecycle over the second half, and at most a
        # one-time step (allocator arenas, hash tables at their peak size).
        a, mid, b = r.rss[0], r.rss[(len(r.rss) - 1) // 2], r.rss[-1]
        ok = (b["vmrss_kb"] <= mid["vmrss_kb"] * RSS_SLOPE and
              b["vmrss_kb"] <= a["vmrss_kb"] * RSS_STEP)
        measured = "%d → %d KiB (%d → %d lifecycles); %d → %d KiB over the second half" % (
            a["vmrss_kb"], b["vmrss_kb"], a["lifecycles"], b["lifecycles"],
            mid["vmrss_kb"], b["vmrss_kb"])
        lost = r.churn_end.get("lost")
        if not ok:
            why = "VmRSS grew %d KiB between the first and the last sample" % (
                b["vmrss_kb"] - a["vmrss_kb"])
            if lost:
                why += (" while %s events were lost and %s leak reports printed: the "
                        "model keeps the entries whose puts it never saw" % (
                            lost, r.churn_end.get("reports")))
    rows.append(("RSS flat over VM churn", "≤ +%d%% over the second half, ≤ +%d%% in all" % (
        round((RSS_SLOPE - 1) * 100), round((RSS_STEP - 1) * 100)), measured, ok, why))
    return rows


def host_load(host):
    """What else ran: QEMU processes and the load average, sampled by run.sh."""
    samples = []
    for line in text(os.path.join(host, "load.txt")).splitlines():
        try:
            n, load = line.split()
            samples.append((int(n), float(load)))
        except ValueError:
            pass
    if not samples:
        return "not sampled"
    busy = sum(1 for n, _ in samples if n > 1)
    return ("1-min load average up to %.1f; another QEMU guest ran beside this one in %d of "
            "%d samples (10 s apart)%s" % (
                max(x for _, x in samples), busy, len(samples),
                ": the figures are noisier than on an idle host" if busy else ""))


def machine(r, seconds):
    cpu = "unknown"
    for line in text("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    qemu = run(["qemu-system-x86_64", "--version"]).splitlines()
    bt = text(os.path.join(r.guest, "bpftrace-version")).strip()
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    commit = run(["git", "-C", top, "rev-parse", "--short", "HEAD"]).strip() or "unknown"
    if run(["git", "-C", top, "status", "--porcelain", "--untracked-files=no"]).strip():
        commit += " with uncommitted changes"
    rows = [
        ("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("host CPU", "%s, %d cores" % (cpu, os.cpu_count() or 0)),
        ("host kernel", "%s %s" % (platform.system(), platform.release())),
        ("guest", "QEMU TCG (software emulation, no KVM), `-cpu max,-cx16 -accel tcg,thread=single -smp 2 -m 2G`, "
                  "q35; %s" % (qemu[0] if qemu else "qemu-system-x86_64")),
        ("guest kernel", r.info.get("kernel", "?") + " (Debian cloud kernel)"),
        ("guest CPU", "%s, %s vCPUs" % (r.info.get("cpu", "?"), r.info.get("cpus", "?"))),
        ("bpftrace", bt or "not run"),
        ("sizes", r.info.get("config", "?")),
        ("commit", commit),
        ("host load", host_load(r.host)),
        ("wall time", "%d s for the whole run" % seconds if seconds else "?"),
    ]
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--guest", required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    r = Results(a.guest, a.host)

    out = ["# Benchmarks\n"]
    if a.smoke:
        out.append("**Smoke run** (`make bench-smoke`): tiny sizes, one round. It proves "
                   "every path runs; its figures mean nothing.\n")
    out.append("Written by `make bench` (bench/run.sh). Everything in the kernel runs in "
               "one boot of a QEMU **TCG** guest with the tdvsim simulator, side by side: "
               "absolute times are those of software emulation (tens of times slower than "
               "hardware, and a trap such as a kprobe's int3 costs relatively more), so "
               "read the ratios, not the nanoseconds. The userspace throughput is measured "
               "natively on the host.\n")
    out.append("## Machine\n")
    out.append("| | |")
    out.append("| --- | --- |")
    for k, v in machine(r, a.seconds):
        out.append("| %s | %s |" % (k, v))
    out.append("")

    g = goals(r, a.smoke)
    out.append("## Goals\n")
    out.append("| goal | target | measured | |")
    out.append("| --- | --- | --- | --- |")
    for goal, target, measured, ok, _ in g:
        out.append("| %s | %s | %s | %s |" % (goal, target, measured, verdict(ok)))
    out.append("")
    missed = [(goal, why) for goal, _, _, ok, why in g if ok is False]
    if missed:
        out.append("### Why the missed goals are missed\n")
        for goal, why in missed:
            out.append("- **%s**: %s." % (goal, why or "see the figures below"))
        out.append("")
    tables_start = len(out)
    overhead_section(r, out)
    throughput_section(r, out)
    startup_section(r, out)
    rss_section(r, out)
    tables_end = len(out)
    out.append("## Reproduce\n")
    out.append("```sh\n"
               "make bench         # ~25 min: builds, bpftrace image, one guest boot; "
               "writes BENCHMARKS.md\n"
               "make bench-smoke   # ~1-2 min: every path at tiny sizes, no bpftrace; "
               "report in .output/bench/smoke/\n"
               "# sizes: BENCH_ROUNDS, BENCH_PAIRS_HOLD, BENCH_PAIRS_FRESH, "
               "BENCH_STARTUP_TRIES,\n"
               "#        BENCH_CHURN_TOTAL, BENCH_CHURN_CHUNK, BENCH_MODEL_EVENTS, "
               "BENCH_CG_EVENTS, BENCH_VARIANTS\n"
               "```\n")
    out.append("Raw results: `.output/bench/run/vm/vm-results/bench/` (guest: "
               "overhead.ndjson, startup.ndjson, rss.ndjson, progstats.ndjson, err/) and "
               "`.output/bench/run/host/` (model.ndjson, callgrind.out).\n")

    doc = "\n".join(out)
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(doc)
    os.replace(tmp, a.out)

    # The table on stdout: goals and the four sections, without the prose.
    shown = out[out.index("## Goals\n"):out.index("## Goals\n") + len(g) + 3]
    shown += [line for line in out[tables_start:tables_end]
              if line.startswith(("|", "#"))]
    print("\n".join(shown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
