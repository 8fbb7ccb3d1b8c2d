#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Assert on what the guest scenarios produced.

Each scenario tests/vm/scenarios/NAME.sh ran in the guest with its own
results folder RESULTS/NAME (files: log, rc, and whatever the scenario
wrote). A scenario passes when it exited 0 and, if this file has a
check_NAME function for it, every assertion there holds. Prints one line per
scenario and ends with "N passed, N failed".
"""
import json
import os
import re
import sys

EEXIST_ERRNO = {"EIO": -5, "ENOMEM": -12, "EBUSY": -16, "ENOSPC": -28}
SEG_IOMMUS = {0: (0x0002, 0x0042), 1: (0x0002, 0x0042)}


class Failure(Exception):
    pass


def expect(cond, what, actual=None, expected=None):
    if not cond:
        detail = ""
        if actual is not None or expected is not None:
            detail = "\n      actual:   %r\n      expected: %r" % (actual, expected)
        raise Failure(what + detail)


def equal(actual, expected, what):
    expect(actual == expected, what, actual, expected)


def read(d, name):
    path = os.path.join(d, name)
    expect(os.path.exists(path), "missing result file %s" % name)
    with open(path, errors="replace") as f:
        return f.read()


def rc(d, name):
    return int(read(d, name).strip())


def events(d, name="trace.json"):
    out = []
    for n, line in enumerate(read(d, name).splitlines(), 1):
        try:
            out.append(json.loads(line))
        except ValueError:
            raise Failure("%s line %d is not JSON: %r" % (name, n, line[:200]))
    return out


def ctl(d, name="ctl.out"):
    """Parse tdvctl's 'key=value' lines: {label: {key: value}}; a destroy
    line is under "destroy:LABEL"."""
    res = {}
    for line in read(d, name).splitlines():
        words = line.split()
        if len(words) < 2 or words[0] not in ("vm", "viommu", "destroy"):
            continue
        kv = dict(w.split("=", 1) for w in words[2:] if "=" in w)
        label = words[1] if words[0] != "destroy" else "destroy:" + words[1]
        res[label] = {k: int(v, 0) for k, v in kv.items()
                         if re.fullmatch(r"-?(0x[0-9a-fA-F]+|\d+)", v)}
    return res


KEYS = ("event", "seg", "kvmfd", "gen", "trans_devid", "refs", "gid", "iommu",
        "ret", "new", "id_state")


def project(evs, keys=KEYS):
    """The fields a scenario asserts on, in order; pid/time/vm left out."""
    return [tuple((k, e[k]) for k in keys if k in e) for e in evs]


def ev(event, **kw):
    kw["event"] = event
    return tuple((k, kw[k]) for k in KEYS if k in kw)


POOL_PROBES = {"id_alloc": "trans_devid_alloc", "id_free": "trans_devid_free"}


def traced_pool(d):
    """The pool operations whose probe sees every call in this scenario's
    kernel: trans_devid_alloc / trans_devid_free in /proc/kallsyms as the
    scenario loaded the simulator (sim_load), with no compiler clone beside
    them. The driver-shaped build inlines trans_devid_alloc, the INLINE=1
    build both; tdvtrace then derives what is missing (and says so)."""
    names = [w[2] for w in (l.split() for l in
                            read(d, "kallsyms.trans_devid").splitlines())
             if len(w) >= 3]
    expect(any(n == "amd_iommu_get_trans_devid_by_kvmfd" for n in names),
           "kallsyms.trans_devid lists the simulator's symbols", names)
    return {event for event, sym in POOL_PROBES.items() if sym in names and
            not any(n.startswith(sym + ".") and n != sym + ".cold" for n in names)}


def sequence(actual, expected, what):
    a, e = project(actual), list(expected)
    for i, (x, y) in enumerate(zip(a, e)):
        if x != y:
            raise Failure("%s: event %d differs\n      actual:   %r\n"
                          "      expected: %r\n      (%d events, %d expected)"
                          % (what, i, x, y, len(a), len(e)))
    equal(len(a), len(e), what + ": number of events")


def get_ev(seg, kvmfd, gen, tid, refs, new):
    """A successful get; "new" where it created its entry (allocating tid)."""
    if new:
        return ev("get", seg=seg, kvmfd=kvmfd, gen=gen, trans_devid=tid, refs=refs,
                  ret=0, new=True)
    return ev("get", seg=seg, kvmfd=kvmfd, gen=gen, trans_devid=tid, refs=refs, ret=0)


def put_ev(seg, kvmfd, gen, tid, refs, traced):
    """A put; the final one, where trans_devid_free is not traced, says what
    it read back from trans_devid_xa: the id went back, "free"."""
    if refs == 0 and "id_free" not in traced:
        return ev("put", seg=seg, kvmfd=kvmfd, gen=gen, trans_devid=tid, refs=0,
                  id_state="free")
    return ev("put", seg=seg, kvmfd=kvmfd, gen=gen, trans_devid=tid, refs=refs)


def id_alloc_ev(seg, kvmfd, tid, traced):
    """An allocation's id_alloc event, where trans_devid_alloc is traced."""
    if "id_alloc" not in traced:
        return []
    return [ev("id_alloc", seg=seg, kvmfd=kvmfd, trans_devid=tid, ret=tid)]


def id_free_ev(seg, kvmfd, tid, traced):
    """A release's id_free event, where trans_devid_free is traced."""
    if "id_free" not in traced:
        return []
    return [ev("id_free", seg=seg, kvmfd=kvmfd, trans_devid=tid)]


def viommu_create(seg, kvmfd, gen, tid, refs, gid, iommu, new, traced):
    seq = id_alloc_ev(seg, kvmfd, tid, traced) if new else []
    seq += [
        get_ev(seg, kvmfd, gen, tid, refs, new),
        ev("dte_set", seg=seg, kvmfd=kvmfd, gen=gen, trans_devid=tid, gid=gid,
           iommu=iommu),
        ev("vfctrl", seg=seg, kvmfd=kvmfd, gen=gen, trans_devid=tid, gid=gid,
           iommu=iommu),
        ev("viommu_init", seg=seg, kvmfd=kvmfd, gen=gen, trans_devid=tid, gid=gid,
           iommu=iommu, ret=0),
    ]
    return seq


def viommu_destroy(seg, kvmfd, gen, tid, refs, gid, iommu, traced):
    """The patch: uninit clears VF control and the DTE, then the put."""
    seq = [
        ev("viommu_uninit", seg=seg, kvmfd=kvmfd, gen=gen, trans_devid=tid,
           gid=gid, iommu=iommu),
        ev("vfctrl", seg=seg, trans_devid=0, gid=gid, iommu=iommu),
        # refs as the DTE goes: this vIOMMU's own ref is still held
        ev("dte_clear", seg=seg, kvmfd=kvmfd, gen=gen, trans_devid=tid,
           refs=refs + 1, gid=gid, iommu=iommu),
    ]
    if refs == 0:
        seq += id_free_ev(seg, kvmfd, tid, traced)
    seq += [
        put_ev(seg, kvmfd, gen, tid, refs, traced),
        ev("viommu_destroy", seg=seg, kvmfd=kvmfd, gen=gen, trans_devid=tid,
           refs=refs, gid=gid, iommu=iommu),
    ]
    return seq


def common_event_fields(evs):
    for e in evs:
        for k in ("ts_ns", "event", "cpu", "pid", "tgid", "comm"):
            expect(k in e, "event lacks %s: %r" % (k, e))
    ts = [e["ts_ns"] for e in evs]
    expect(all(isinstance(t, int) and t > 0 for t in ts), "ts_ns positive ints")


# ---------------------------------------------------------------- scenarios


def check_bad_input(d):
    equal(rc(d, "nomod_probes.rc"), 1, "probes without the patch: exit status")
    err = read(d, "nomod_probes.err")
    for sym in ("amd_iommu_get_trans_devid_by_kvmfd",
                "amd_iommu_free_trans_devid_by_kvmfd"):
        expect(sym in err, "probes names missing %s" % sym, err)
    expect("lacks the trans_devid patch" in err, "says the patch is missing", err)
    out = read(d, "nomod_probes.out")
    expect(re.search(r"^get\s+missing", out, re.M), "table shows get missing", out)
    equal(rc(d, "nomod_trace.rc"), 1, "trace without the patch: exit status")
    equal(read(d, "nomod_trace.out"), "", "trace without the patch: no stdout")
    expect("lacks the trans_devid patch" in read(d, "nomod_trace.err"),
           "trace says the patch is missing")
    cases = {
        "nonroot": (1, "need root, or CAP_BPF and CAP_PERFMON"),
        "nobtf": (1, "no kernel BTF at /sys/kernel/btf/vmlinux"),
        "badflag": (2, "unrecognized option '--bogus'"),
        "badseg": (2, "invalid --seg 'x1': expected a PCI segment 0-65535"),
        "badkvmfd": (2, "invalid --kvmfd '-3'"),
        "badpid": (2, "invalid PID '0'"),
        "badattach": (2, "invalid --attach 'uprobe'"),
        "badcmd": (2, "unknown command 'frobnicate'"),
        "octal_pid": (2, "invalid --kvmfd 'x'"),
        "hexseg": (2, "invalid --seg '0x1': expected a PCI segment 0-65535"),
        "probes_seg": (2, "tdvtrace probes: --seg does not apply to this command"),
        "probes_duration": (2, "tdvtrace probes: -d does not apply to this command"),
        "top_batch_json": (2, "-b does not apply to --json"),
        "report_svg_json": (2, "--json and --format svg contradict"),
        "report_events_grace": (2, "--grace-ms and --timelines shape reports, which "
                                   "--format events has none of"),
        "report_svg_ms": (2, "-m, -u, -n and --per-seg shape histograms, which svg has none of"),
        "report_nohist_unit": (2, "which --no-hist has none of"),
        "report_perfetto_timelines": (2, "--timelines does not apply to --format perfetto"),
        "top_interval": (2, "tdvtrace top: invalid interval '0': expected seconds 1-86400"),
        "hist_interval": (2, "tdvtrace hist: invalid interval '0': expected seconds 1-86400"),
        "top_count": (2, "tdvtrace top: invalid count '4294967296': expected a number "
                         "1-4294967295"),
        "hist_count": (2, "tdvtrace hist: invalid count '4294967296': expected a number "
                          "1-4294967295"),
    }
    for name, (status, msg) in cases.items():
        equal(rc(d, name + ".rc"), status, name + ": exit status")
        err = read(d, name + ".err")
        expect(msg in err, name + ": message", err.strip(), msg)
        equal(read(d, name + ".out"), "", name + ": nothing on stdout")


DERIVED_FROM = {"id_alloc": "the get that created its entry",
                "id_free": "the final put: trans_devid_xa state of its id"}


def check_probes(d):
    t = traced_pool(d)
    modes = {"auto": "fentry", "fentry": "fentry", "kprobe": "kprobe"}
    for mode, how in modes.items():
        equal(rc(d, "probes_%s.rc" % mode), 0, "probes --attach=%s: exit" % mode)
        rows = events(d, "probes_%s.json" % mode)
        by = {r["probe"]: r for r in rows}
        equal(sorted(by), sorted([
            "get", "put", "id_alloc", "id_free", "reserve", "dte_set",
            "dte_clear", "vfctrl", "viommu_init", "viommu_destroy",
            "viommu_uninit", "seg_fini", "vm_destroy", "proc_exit"]),
            "probe list")
        for name, r in by.items():
            expect("missed_through" not in r, name + ": no compiler clone", r)
            if name == "proc_exit":
                equal((r["attach"], r["observed"]), ("tracepoint", "attached"),
                      "proc_exit attach")
                continue
            if name in POOL_PROBES and name not in t:
                # inlined: no symbol to probe; its facts are derived
                equal((name, r["attach"], r["observed"]), (name, "missing", "derived"),
                      "an inlined pool operation in %s mode" % mode)
                expect("module" not in r, name + ": no module", r)
                expect(r["derived_from"].startswith(DERIVED_FROM[name]),
                       name + ": derived from", r)
                continue
            equal((name, r["observed"]), (name, "attached"), "observed in %s mode" % mode)
            expect("derived_from" not in r, name + ": not derived", r)
            equal((name, r["attach"]), (name, how), "attach in %s mode" % mode)
            # kvm_destroy_vm is the real one, a local symbol of kvm.ko
            equal((name, r["module"]), (name, "kvm" if name == "vm_destroy" else "tdvsim"),
                  "module of " + name)
            expect(r["btf"], name + " has BTF")
        expect(by["get"]["required"] and by["put"]["required"], "get/put required")
    text = read(d, "probes_text.out")
    expect(re.search(r"^get\s+fentry\s+tdvsim\s+amd_iommu_get_trans_devid_by_kvmfd\s+attached",
                     text, re.M), "text table row for get", text)
    for name, sym in POOL_PROBES.items():
        row = (r"^%s\s+fentry\s+tdvsim\s+%s\s+attached" % (name, sym) if name in t else
               r"^%s\s+missing\s+-\s+%s\s+derived\s.*derived from %s" %
               (name, sym, re.escape(DERIVED_FROM[name])))
        expect(re.search(row, text, re.M), "text table row for " + name, text)
    # While attached, the trampolines/kprobes are in ftrace; after exit, gone.
    for mode in ("fentry", "kprobe"):
        live = read(d, "enabled_live_%s" % mode)
        expect("amd_iommu_get_trans_devid_by_kvmfd" in live,
               "%s probe visible in enabled_functions while tracing" % mode, live)
    for when in ("after_sigint", "after_sigterm", "after_sigkill"):
        left = read(d, "enabled_" + when)
        expect("tdvsim" not in left and "amd_iommu" not in left,
               "nothing left attached " + when, left)
        equal(read(d, "kprobe_events_" + when).strip(), "",
              "no kprobe_events left " + when)
    equal(rc(d, "sigint.rc"), 0, "SIGINT: exit 0")
    equal(rc(d, "sigterm.rc"), 0, "SIGTERM: exit 0")
    expect(re.search(r"tdvtrace: \d+ events, 0 lost",
                     read(d, "sigterm.err")), "summary at exit")


SUPPORTED = ("tdvtrace traces only the per-VM trans_devid keyed by kvmfd "
             "(amd_iommu_get_trans_devid_by_kvmfd/amd_iommu_free_trans_devid_by_kvmfd, "
             "[PATCH v2 21/26] iommu/amd: Map kvmfd to shared translate device ID "
             "for vIOMMU)")
NOT_SUPPORTED = ("another revision of the trans_devid series, which tdvtrace "
                 "does not support")


def revision_line(name, symbols, module):
    return ("tdvtrace: this kernel carries another revision of the trans_devid "
            "series, %s (%s, in module %s), which tdvtrace does not support; %s\n"
            % (name, ", ".join(symbols), module, SUPPORTED))


REVISION_LINES = {
    "pervi": revision_line(
        "per-vIOMMU trans_devid",
        ["amd_iommu_trans_devid_alloc", "amd_iommu_trans_devid_free"], "tdvrev_pervi"),
    "reloc": revision_line(
        "per-vIOMMU trans_devid with relocation",
        ["amd_iommu_trans_devid_alloc", "amd_iommu_trans_devid_free",
         "trans_devid_relocate", "trans_devid_do_relocate"], "tdvrev_reloc"),
    "vmm": revision_line(
        "VMM-supplied trans_devid",
        ["amd_iommufd_viommu_init", "amd_iommu_set_translate_dte"], "tdvrev_vmm"),
    "sig": "tdvtrace: module tdvrev_sig: amd_iommu_get_trans_devid_by_kvmfd takes "
           "(struct amd_iommu_pci_seg *, struct kvm *, u16 *); tdvtrace expects "
           "(struct amd_iommu_pci_seg *, u32, u16 *): %s\n" % NOT_SUPPORTED,
    "field": "tdvtrace: module tdvrev_field: struct amd_iommu_kvmfd_trans_entry has no "
             "field refs: %s\n" % NOT_SUPPORTED,
}


def check_revisions(d):
    # The guest kernel has no AMD IOMMU driver (CONFIG_AMD_IOMMU is off).
    equal(rc(d, "none_probes.rc"), 1, "no driver: exit status")
    gone = "(no such function in /proc/kallsyms)"
    equal(read(d, "none_probes.err"),
          "tdvtrace: this kernel lacks the trans_devid patch: missing "
          "amd_iommu_get_trans_devid_by_kvmfd %s, amd_iommu_free_trans_devid_by_kvmfd %s; "
          "it has no AMD IOMMU driver (CONFIG_AMD_IOMMU is off): tdvtrace needs a kernel "
          "built with the driver and the patch (its own tests load the tdvsim simulator "
          "module instead)\n" % (gone, gone), "no driver: the one line")
    for m, line in REVISION_LINES.items():
        for cmd in ("probes", "trace"):
            case = "%s_%s" % (m, cmd)
            equal(rc(d, case + ".rc"), 1, case + ": exit status")
            equal(read(d, case + ".err"), line, case + ": the one line on stderr")
        equal(read(d, m + "_trace.out"), "", m + ": trace prints nothing")
        table = read(d, m + "_probes.out")
        if m in ("sig", "field"):
            # Refused after detection, before anything loads: no table.
            equal(table, "", m + ": probes prints no table")
        else:
            expect(re.search(r"^get\s+missing\s", table, re.M),
                   m + ": probes table shows get missing", table)
    equal(read(d, "enabled_after_revisions").strip(), "", "nothing attached by a refusal")
    equal(read(d, "kprobe_events_after_revisions").strip(), "", "no kprobe_events left")

    equal(rc(d, "nokprobe_auto.rc"), 0, "no kprobe PMU, auto: probes exit")
    rows = events(d, "nokprobe_auto.out")
    equal(len(rows), 14, "no kprobe PMU: every probe listed")
    equal([r["probe"] for r in rows if r["attach"] == "kprobe"], [],
          "no kprobe PMU: no probe offered as kprobe")
    nokprobe = ("tdvtrace: --attach kprobe: this kernel has no kprobe PMU "
                "(/sys/bus/event_source/devices/kprobe; CONFIG_KPROBE_EVENTS is off): "
                "use --attach fentry\n")
    for case in ("nokprobe_kprobe", "nokprobe_trace_kprobe"):
        equal(rc(d, case + ".rc"), 1, case + ": exit status")
        equal(read(d, case + ".err"), nokprobe, case + ": the one line")
        equal(read(d, case + ".out"), "", case + ": nothing on stdout")

    blind = ("tdvtrace: warning: found no existing entries because it could not look: "
             "/proc/kallsyms lists no data symbols of the kernel (CONFIG_KALLSYMS_ALL "
             "is off), so amd_iommu_pci_seg_list cannot be found; VMs that predate "
             "tdvtrace are unknown to it\n")
    equal(rc(d, "noksymall_trace.rc"), 0, "without data symbols: trace still runs")
    err = read(d, "noksymall_trace.err")
    expect(blind in err, "without data symbols: says it could not look", err, blind)
    err = read(d, "ksymall_trace.err")
    expect("could not look" not in err and "cannot discover" not in err,
           "with data symbols: discovery looked", err)


def two_vm_expectation(c, t):
    a, b = c["A"]["kvmfd"], c["B"]["kvmfd"]
    g = {v: c[v]["gid"] for v in ("a1", "a2", "b1", "b2")}
    seq = []
    seq += viommu_create(0, a, 1, 0xffff, 1, g["a1"], 0x0002, True, t)
    seq += viommu_create(0, a, 1, 0xffff, 2, g["a2"], 0x0042, False, t)
    seq += viommu_create(1, b, 1, 0xffff, 1, g["b1"], 0x0002, True, t)
    seq += viommu_create(1, b, 1, 0xffff, 2, g["b2"], 0x0042, False, t)
    seq += viommu_destroy(0, a, 1, 0xffff, 1, g["a1"], 0x0002, t)
    seq += viommu_destroy(0, a, 1, 0xffff, 0, g["a2"], 0x0042, t)
    seq += viommu_destroy(1, b, 1, 0xffff, 1, g["b1"], 0x0002, t)
    seq += viommu_destroy(1, b, 1, 0xffff, 0, g["b2"], 0x0042, t)
    seq += [ev("vm_destroy"), ev("vm_destroy"), ev("proc_exit")]
    return seq


def check_trace_two_vms(d):
    t = traced_pool(d)
    for mode in ("fentry", "kprobe"):
        c = ctl(d, "ctl_%s.out" % mode)
        equal(rc(d, "trace_%s.rc" % mode), 0, "trace exit status (%s)" % mode)
        evs = events(d, "trace_%s.json" % mode)
        common_event_fields(evs)
        sequence(evs, two_vm_expectation(c, t), "2 VMs x 2 vIOMMUs (%s)" % mode)
        # refs 1,2,1,0 per VM, as the kernel reports them
        for seg in (0, 1):
            refs = [e["refs"] for e in evs if e["event"] in ("get", "put")
                    and e["seg"] == seg]
            equal(refs, [1, 2, 1, 0], "refs timeline of seg %d" % seg)
        # vm: the same struct kvm for a VM's get, put and vm_destroy
        vms = {}
        for e in evs:
            if e["event"] in ("get", "put"):
                vms.setdefault(e["kvmfd"], set()).add(e["vm"])
        equal(len(vms), 2, "two kvmfds")
        for fd, v in vms.items():
            equal(len(v), 1, "one vm value for kvmfd %d" % fd)
        destroyed = [e["vm"] for e in evs if e["event"] == "vm_destroy"]
        equal(sorted(destroyed), sorted(next(iter(v)) for v in vms.values()),
              "vm_destroy names the VMs that took the refs")
        pids = {e["tgid"] for e in evs}
        equal(len(pids), 1, "all events from the one driver process")
        for e in evs:
            if e["event"] in ("get", "put", "viommu_init", "viommu_destroy"):
                expect(e["lat_ns"] > 0, "lat_ns on " + e["event"])
    n, gone = 13 - (2 - len(t)), 2 - len(t)  # inlined statics have no probe
    err = read(d, "trace_fentry.err")
    expect("attached %d probes (%d fentry, 0 kprobe, 1 tracepoint, %d missing)"
           % (n + 1, n, gone) in err, "fentry mode attach line", err)
    err = read(d, "trace_kprobe.err")
    expect("attached %d probes (0 fentry, %d kprobe, 1 tracepoint, %d missing)"
           % (n + 1, n, gone) in err, "kprobe mode attach line", err)
    for event in sorted(set(POOL_PROBES) - t):
        expect(re.search(r"^tdvtrace: no %s events \(%s .*\): derived from "
                         % (event, POOL_PROBES[event]), err, re.M),
               "says %s is derived, not missing" % event, err)
    text = read(d, "trace_text.out").splitlines()
    expect(text[0].split()[:5] == ["TIME(s)", "EVENT", "PID", "TID", "COMM"],
           "text header", text[:1])
    gets = [l for l in text if re.match(r"^\s*[\d.]+\s+get\s", l)]
    equal(len(gets), 4, "text mode: 4 get lines")
    expect("trans_devid=0xffff refs=1 ret=0" in gets[0], "text get fields", gets[0])


def check_kvmfd_reuse(d):
    c = ctl(d)
    equal(c["A"]["kvmfd"], c["B"]["kvmfd"], "B reuses A's fd number")
    fd = c["A"]["kvmfd"]
    evs = events(d)
    gets = [(e["gen"], e["refs"]) for e in evs if e["event"] == "get"]
    equal(gets, [(1, 1), (2, 1)], "gen +1 when the entry is created afresh")
    puts = [(e["gen"], e["refs"], e["kvmfd"]) for e in evs if e["event"] == "put"]
    equal(puts, [(1, 0, fd), (2, 0, fd)], "puts carry their entry's gen")


def check_two_processes(d):
    c1, c2 = ctl(d, "ctl1.out"), ctl(d, "ctl2.out")
    equal(c1["X"]["kvmfd"], c2["Y"]["kvmfd"], "same kvmfd number in both")
    evs = [e for e in events(d) if e["event"] == "get"]
    equal(len(evs), 2, "two gets")
    equal(evs[0]["kvmfd"], evs[1]["kvmfd"], "gets on the same kvmfd")
    expect(evs[0]["tgid"] != evs[1]["tgid"], "from two processes")
    for e in evs:  # a vm not known is omitted
        expect("vm" in e, "vm resolved", e)
    expect(evs[0]["vm"] != evs[1]["vm"], "two different vm values",
           evs[0]["vm"], "!= " + evs[1]["vm"])


def check_init_error(d):
    t = traced_pool(d)
    c = ctl(d)
    fd = c["A"]["kvmfd"]
    # amd_viommu_init_one's region allocation failed: -ENOMEM
    equal(c["v1"]["ret"], EEXIST_ERRNO["ENOMEM"], "driver saw -ENOMEM")
    evs = [e for e in events(d) if e["event"] not in ("vm_destroy", "proc_exit")]
    g = None
    for e in evs:
        if e["event"] == "dte_set":
            g = e["gid"]
    expect(g is not None, "dte_set seen")
    seq = id_alloc_ev(0, fd, 0xffff, t) + [
        get_ev(0, fd, 1, 0xffff, 1, True),
        ev("dte_set", seg=0, kvmfd=fd, gen=1, trans_devid=0xffff, gid=g,
           iommu=0x0002),
        ev("vfctrl", seg=0, kvmfd=fd, gen=1, trans_devid=0xffff, gid=g,
           iommu=0x0002),
        # init_one's err_out runs amd_viommu_uninit_one before the vIOMMU
        # has a trans_devid: VF control 0 and the DTE of devid 0 cleared
        ev("viommu_uninit", seg=0, kvmfd=0, trans_devid=0, gid=g, iommu=0x0002),
        ev("vfctrl", seg=0, trans_devid=0, gid=g, iommu=0x0002),
        ev("dte_clear", seg=0, trans_devid=0, gid=g, iommu=0x0002),
        # err_init: VF control back to 0, DTE cleared, the ref dropped
        ev("vfctrl", seg=0, trans_devid=0, gid=g, iommu=0x0002),
        ev("dte_clear", seg=0, kvmfd=fd, gen=1, trans_devid=0xffff, refs=1,
           gid=g, iommu=0x0002),
    ] + id_free_ev(0, fd, 0xffff, t) + [
        put_ev(0, fd, 1, 0xffff, 0, t),
        ev("viommu_init", seg=0, iommu=0x0002, ret=-12),
    ]
    sequence(evs, seq, "failed amd_viommu_init_one")

    c = ctl(d, "ctl_copy.out")
    fd = c["A"]["kvmfd"]
    equal(c["v1"]["ret"], -14, "driver saw -EFAULT from the copy to the user")
    evs = [e for e in events(d, "trace_copy.json")
           if e["event"] not in ("vm_destroy", "proc_exit")]
    g = [e["gid"] for e in evs if e["event"] == "dte_set"]
    equal(len(g), 1, "one dte_set")
    g = g[0]
    seq = id_alloc_ev(0, fd, 0xffff, t) + [
        get_ev(0, fd, 1, 0xffff, 1, True),
        ev("dte_set", seg=0, kvmfd=fd, gen=1, trans_devid=0xffff, gid=g,
           iommu=0x0002),
        ev("vfctrl", seg=0, kvmfd=fd, gen=1, trans_devid=0xffff, gid=g,
           iommu=0x0002),
        ev("vfctrl", seg=0, trans_devid=0, gid=g, iommu=0x0002),
        ev("dte_clear", seg=0, kvmfd=fd, gen=1, trans_devid=0xffff, refs=1,
           gid=g, iommu=0x0002),
    ] + id_free_ev(0, fd, 0xffff, t) + [
        put_ev(0, fd, 1, 0xffff, 0, t),
        ev("viommu_init", seg=0, iommu=0x0002, ret=-14),
    ]
    sequence(evs, seq, "copy to the user failed after amd_viommu_init_one")

    # Two failed inits and a good one: the driver's clear of DTE 0 is said
    # once, as the driver's, and the patch's own clears are no hazard.
    c = ctl(d, "ctl_leaks.out")
    equal((c["v1"]["ret"], c["v2"]["ret"], c["v3"]["ret"]),
          (EEXIST_ERRNO["ENOMEM"], EEXIST_ERRNO["ENOMEM"], 0), "two failed inits, one good")
    r = one_report(d, "leaks", "driver_dte0", seg=0, trans_devid=0)
    equal(r["detail"], "vIOMMU init failed: the driver's uninit cleared VF control and "
          "DTE 0x0000, not the vIOMMU's 0xffff", "driver_dte0 detail")


def check_filters(d):
    base = events(d, "all.json")
    pid2 = int(read(d, "pid2").strip())
    fd = int(read(d, "kvmfd").strip())
    equal(fd, 4, "VM A has kvmfd 4, as the --kvmfd 4 tracers assume")
    preds = {
        "pid": lambda e: e["tgid"] == pid2,
        "seg": lambda e: e.get("seg") == 1,
        "kvmfd": lambda e: e.get("kvmfd") == fd,
        "seg_kvmfd": lambda e: e.get("seg") == 0 and e.get("kvmfd") == fd,
    }
    for name, pred in preds.items():
        equal(rc(d, name + ".rc"), 0, name + ": exit status")
        # Each tracer stamps its own ts_ns: compare what the events say.
        got = [p + (e["tgid"],) for p, e in
               zip(project(events(d, name + ".json")), events(d, name + ".json"))]
        want = [p + (e["tgid"],) for p, e in zip(project(base), base) if pred(e)]
        expect(want, name + ": the filter keeps something")
        equal(got, want, "filter %s keeps exactly the matching events" % name)
        expect(len(got) < len(base), name + ": the filter drops something")
    equal(rc(d, "duration.rc"), 0, "-d: exit status")
    secs = int(read(d, "duration.secs").strip())
    # It stops by itself; detaching 27 programs under TCG adds seconds.
    expect(1 <= secs <= 6, "-d 2 stops about 2 s after attaching", secs)


def check_lost_events(d):
    equal(rc(d, "lost.rc"), 0, "trace with a tiny ring buffer: exit status")
    err = read(d, "lost.err")
    m = re.search(r"tdvtrace: (\d+) events, (\d+) lost", err)
    expect(m, "summary line", err)
    printed, lost = int(m.group(1)), int(m.group(2))
    expect(lost > 0, "events were lost", lost)
    expect(re.search(r"tdvtrace: lost \d+ events \(ring buffer full\)", err),
           "loss reported as it happens", err)
    equal(len(read(d, "lost.json").splitlines()), printed, "printed count")
    # per cycle 10 events, and id_alloc / id_free where they are traced
    expected = int(read(d, "cycles").strip()) * (10 + len(traced_pool(d))) + 1
    equal(printed + lost, expected, "printed + lost = events the churn caused")
    by_kind = re.search(r"events, \d+ lost \(([^)]*)\)", err)
    expect(by_kind, "losses are broken down by event kind", err)
    parts = [p.split() for p in by_kind.group(1).split(", ")]
    equal(sum(int(n) for _, n in parts), lost, "the breakdown adds up")


def leaks_reports(d, name):
    return events(d, name + ".json")


def one_report(d, name, kind, **fields):
    """Exactly one report, of this kind, with these fields; exit status 3."""
    reps = leaks_reports(d, name)
    equal([r["kind"] for r in reps], [kind], name + ": report kinds")
    r = reps[0]
    for k, v in fields.items():
        equal((k, r.get(k)), (k, v), name + ": field " + k)
    equal(r["confidence"], "exact", name + ": confidence")
    equal(rc(d, name + ".rc"), 3, name + ": exit status when something was found")
    return r


def check_leaks_faults(d):
    equal(leaks_reports(d, "clean"), [], "clean: no report")
    equal(rc(d, "clean.rc"), 0, "clean: exit status 0")
    expect("no leaks or anomalies" in read(d, "clean.err"), "clean: summary")

    c = ctl(d, "leak_ref.ctl")
    r = one_report(d, "leak_ref", "leak_ref", seg=0, kvmfd=c["A"]["kvmfd"],
                   gen=1, trans_devid=0xffff, refs=1)
    equal([(e["event"], e["gid"]) for e in r["evidence"]],
          [("get", c["a1"]["gid"])], "leak_ref: the outstanding get and its gid")
    expect(r["owner"]["comm"] == "tdvctl", "leak_ref: owner comm", r["owner"])

    c = ctl(d, "unbalanced_put.ctl")
    one_report(d, "unbalanced_put", "unbalanced_put", seg=0,
               kvmfd=c["A"]["kvmfd"])

    c = ctl(d, "stale_dte.ctl")
    r = one_report(d, "stale_dte", "stale_dte", seg=1, kvmfd=c["A"]["kvmfd"],
                   gen=1, trans_devid=0xffff)
    equal([e["event"] for e in r["evidence"]], ["dte_set", "put"],
          "stale_dte: evidence")

    c = ctl(d, "stale_dte_reassigned.ctl")
    equal((c["a1"]["trans_devid"], c["a2"]["trans_devid"]), (0xffff, 0xffff),
          "the driver handed the released id out again")
    r = one_report(d, "stale_dte_reassigned", "stale_dte", seg=1, trans_devid=0xffff)
    expect("reassigned" in r["detail"], "stale_dte: when reassigned", r["detail"])
    # the allocation: its id_alloc, or (inlined) the get that created the entry
    alloc = "id_alloc" if "id_alloc" in traced_pool(d) else "get"
    equal([e["event"] for e in r["evidence"]], ["dte_set", alloc],
          "stale_dte reassigned: evidence")

    # skip_dte_clear waits for a destroy whose put releases: the leak alone.
    c = ctl(d, "skip_put_and_dte_clear.ctl")
    one_report(d, "skip_put_and_dte_clear", "leak_ref", seg=0, kvmfd=c["A"]["kvmfd"],
               gen=1, trans_devid=0xffff, refs=1)
    equal(c["destroy:a1"]["refs"], 1, "skip_put_and_dte_clear: the ref stays")

    c = ctl(d, "clear_while_shared.ctl")
    r = one_report(d, "clear_while_shared", "clear_while_shared", seg=0,
                   kvmfd=c["A"]["kvmfd"], trans_devid=0xffff, refs=2)
    equal(r["evidence"][0]["event"], "dte_clear", "evidence starts with the clear")
    equal(r["evidence"][0]["gid"], c["a1"]["gid"], "cleared by a1's destroy")

    c = ctl(d, "reserve_clash.ctl")
    one_report(d, "reserve_clash", "reserve_clash", seg=0, trans_devid=0xffff,
               kvmfd=c["A"]["kvmfd"], ret=EEXIST_ERRNO["EBUSY"])

    c = ctl(d, "leak_id.ctl")
    r = one_report(d, "leak_id", "leak_id", seg=1, kvmfd=c["A"]["kvmfd"],
                   trans_devid=0xffff)
    equal([e["event"] for e in r["evidence"]], ["put"], "leak_id: the last put")

    c = ctl(d, "fini_live.ctl")
    reps = leaks_reports(d, "fini_live")
    equal([r["kind"] for r in reps], ["fini_live", "unbalanced_put"],
          "fini_live, then the orphaned vIOMMU's put at exit")
    equal((reps[0]["seg"], reps[0]["kvmfd"], reps[0]["refs"], reps[0]["trans_devid"]),
          (1, c["A"]["kvmfd"], 1, 0xffff), "fini_live fields")

    for name, err, seg in (("alloc_fail_enospc", "ENOSPC", 1),
                           ("alloc_fail_enomem", "ENOMEM", 0)):
        c = ctl(d, name + ".ctl")
        one_report(d, name, "alloc_fail", seg=seg, kvmfd=c["A"]["kvmfd"],
                   ret=EEXIST_ERRNO[err], pool_used=0)


def check_leaks_alias(d):
    c1, c2 = ctl(d, "alias.ctl1"), ctl(d, "alias.ctl2")
    fd = c1["X"]["kvmfd"]
    equal(c2["Y"]["kvmfd"], fd, "both VMs have the same fd number")
    # The driver's own view: Y's vIOMMU found X's entry (refs 2).
    equal(c2["y1"]["refs"], 2, "the simulator shared the entry")
    reps = leaks_reports(d, "alias")
    equal(sorted(r["kind"] for r in reps), ["alias", "clear_while_shared"],
          "the patch's two hazards, once each")
    a = [r for r in reps if r["kind"] == "alias"][0]
    equal((a["seg"], a["kvmfd"], a["trans_devid"]), (0, fd, 0xffff),
          "alias: seg, kvmfd, trans_devid")
    expect(a["vm"] != a["other_vm"], "alias names two different VMs")
    expect(a["evidence"][-1]["tgid"] != a["owner"]["pid"],
           "alias evidence ends with the other VMM's get", a["evidence"])
    cws = [r for r in reps if r["kind"] == "clear_while_shared"][0]
    equal(cws["evidence"][0]["gid"], c2["y1"]["gid"], "Y's destroy cleared it")
    equal(rc(d, "alias.rc"), 3, "exit status 3")


def check_leaks_lossy(d):
    err = read(d, "lossy.err")
    m = re.search(r"tdvtrace: (\d+) events, (\d+) lost", err)
    expect(m and int(m.group(2)) > 0, "events were lost", err)
    reps = leaks_reports(d, "lossy")
    c = ctl(d, "ctl1.out")
    mine = [r for r in reps if r["kind"] == "leak_ref"
            and r.get("kvmfd") == c["L"]["kvmfd"] and r["seg"] == 1]
    equal(len(mine), 1, "the injected leak is reported once")
    equal(mine[0]["confidence"], "lossy", "and marked lossy")
    for r in reps:
        equal((r["kind"], r["confidence"]), (r["kind"], "lossy"),
              "no report claims to be exact after a loss")
    equal(rc(d, "lossy.rc"), 3, "exit status 3")


def check_map_full(d):
    err = read(d, "full.err")
    expect(re.search(r"^tdvtrace: lost evidence 1x: owners map full: an owner not saved$",
                     err, re.M), "the loss said live, with why", err)
    expect(re.search(r"tdvtrace: \d+ events, 0 lost, 1 evidence lost \(owners_full get 1\), "
                     r"0 missed", err), "and in the summary, by why and event kind", err)
    c = ctl(d, "full.ctl")
    reps = leaks_reports(d, "full")
    equal([(r["kind"], r["kvmfd"], r["confidence"]) for r in reps],
          [("leak_ref", c["A"]["kvmfd"], "lossy")], "the leak, lossy")
    equal(rc(d, "full.rc"), 3, "exit status 3 (found)")
    info = read(os.path.dirname(d), "guest-info")
    release = re.search(r"^kernel: (\d+)\.(\d+)", info, re.M)
    has_link_missed = (int(release.group(1)), int(release.group(2))) >= (6, 7)
    err = read(d, "kprobes.err")
    m = re.search(r"tdvtrace: \d+ events, 0 lost, 0 missed(.*)$", err, re.M)
    expect(m, "kprobes: the summary", err)
    equal(m.group(1), "" if has_link_missed else
          " (kprobe misses not counted: the kernel's link info has them from Linux 6.7)",
          "kprobes: misses counted where the kernel says them, else that said")


def check_leaks_churn(d):
    for name in ("mixed", "spread"):
        truth = json.loads(read(d, name + ".truth.json"))
        reps = leaks_reports(d, name)
        kinds = {}
        for r in reps:
            kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
            equal((r["kind"], r["confidence"]), (r["kind"], "exact"),
                  name + ": confidence")
        want = {k: sum(truth[k]) for k in ("alias", "clear_while_shared")
                if sum(truth[k])}
        equal(kinds, want, name + ": reports equal the driver's hazards")
        counts = {}
        for line in read(d, name + ".counts").splitlines():
            ev_, seg, n = line.split()
            counts[(ev_, int(seg))] = int(n)
        for seg in (0, 1):
            equal(counts[("get", seg)], truth["gets"][seg],
                  "%s: gets on seg %d" % (name, seg))
            equal(counts[("put", seg)], truth["puts"][seg],
                  "%s: puts on seg %d" % (name, seg))
        equal(rc(d, name + ".rc"), 3 if reps else 0, name + ": exit status")
        expect("0 lost" in read(d, name + ".err"), name + ": nothing lost")
    expect(int(read(d, "mixed.actions")) > 3000, "the mixed churn ran")
    truth = json.loads(read(d, "mixed.truth.json"))
    expect(sum(truth["alias"]) > 0 and sum(truth["clear_while_shared"]) > 0,
           "the mixed churn met both hazards", truth)
    equal(leaks_reports(d, "spread"), [], "spread: no report")


def check_top(d):
    equal(rc(d, "top.rc"), 0, "top -b 1 3 exits by itself, status 0")
    rows = events(d, "top.json")
    last = max(r["ts_ns"] for r in rows)
    snap = sorted((r["seg"], r["kvmfd"], r["trans_devid"], r["refs"], r["viommus"],
                   r["pid"], r["comm"], r["gen"]) for r in rows if r["ts_ns"] == last)
    state = []
    seg = None
    for line in read(d, "ctl.out").splitlines():
        m = re.match(r"state seg=(\d+)", line)
        if m:
            seg = int(m.group(1))
        m = re.match(r"\s+kvmfd=(\d+) refs=(\d+) trans_devid=(0x[0-9a-f]+)", line)
        if m:
            state.append((seg, int(m.group(1)), int(m.group(3), 16), int(m.group(2))))
    pid = int(read(d, "ctl.pid"))
    want = sorted(s + (s[3], pid, "tdvctl", 1) for s in state)
    equal(snap, want, "last snapshot = the kernel's kvmfd_xa (tdvctl state)")
    equal(len(want), 2, "two entries (A on seg 0 with 2 vIOMMUs, B on seg 1)")
    text = read(d, "toptext.out")
    expect(re.search(r"ids allocated per seg: seg0=1, seg1=1", text),
           "text: ids allocated per segment", text[-600:])
    expect(re.search(r"^SEG\s+KVMFD\s+GEN\s+TRANS\s+REFS\s+VIOMMUS\s+PID\s+COMM",
                     text, re.M), "text: header")
    equal(text.count("tdvtrace top:"), 3, "text: 3 snapshots")


def check_live_attach(d):
    c = ctl(d, "pre.ctl")
    expect("tdvtrace: found 3 live entries" in read(d, "live.err"),
           "discovery found A on two segments and B", read(d, "live.err"))
    reps = leaks_reports(d, "live")
    equal([r["kind"] for r in reps], ["leak_ref"],
          "only the injected leak: no false report for what predates tdvtrace")
    r = reps[0]
    equal((r["seg"], r["kvmfd"], r["gen"], r["refs"], r["trans_devid"]),
          (0, c["B"]["kvmfd"], 1, 1, c["b1"]["trans_devid"]), "leak_ref fields")
    equal(r["owner"]["pid"], int(read(d, "p1.pid")), "owner is the VMM found by discovery")
    expect("vm" in r, "the VM is known (a vm not known is omitted)", r)
    equal(rc(d, "live.rc"), 3, "exit status 3")


def check_fixed(d):
    # The same script gives clear_while_shared with the patch as it is
    # (40-leaks-faults); fixed, none.
    equal(leaks_reports(d, "shared"), [], "fixed=1: no clear_while_shared")
    equal(rc(d, "shared.rc"), 0, "fixed=1: exit status 0")
    c = ctl(d, "shared.ctl")
    equal((c["a1"]["refs"], c["a2"]["refs"]), (1, 2), "both vIOMMUs shared the entry")
    # Faults are still caught.
    one_report(d, "stale", "stale_dte", seg=1, trans_devid=0xffff)
    # Keyed by VM: two VMMs' VMs at one fd number get two ids, no alias.
    c1, c2 = ctl(d, "alias.ctl1"), ctl(d, "alias.ctl2")
    equal(c1["X"]["kvmfd"], c2["Y"]["kvmfd"], "same fd number in both VMMs")
    equal((c1["x1"]["trans_devid"], c2["y1"]["trans_devid"], c2["y1"]["refs"]),
          (0xffff, 0xfffe, 1), "fixed=1: each VM its own trans_devid")
    equal(leaks_reports(d, "alias"), [], "fixed=1: no alias, no clear_while_shared")
    equal(rc(d, "alias.rc"), 0, "fixed=1: exit status 0")


def check_timelines(d):
    c = ctl(d, "tl.ctl")
    lines = events(d, "tl.json")
    reps = [l for l in lines if "kind" in l]
    tls = [l["timeline"] for l in lines if "timeline" in l and "kind" not in l]
    equal([r["kind"] for r in reps], ["clear_while_shared"], "the patch's hazard")
    equal(len(tls), 1, "one entry closed, one timeline")
    t = tls[0]
    equal((t["seg"], t["kvmfd"], t["gen"], t["trans_devid"]), (0, c["A"]["kvmfd"], 1, 0xffff),
          "timeline names its entry")
    expect(t["lifetime_ns"] > 0 and t["released_ns"] > t["created_ns"], "lifetime")
    got = [(p["op"], p["refs"], p["dte"], p["vfctrl"]) for p in t["changes"]]
    want = [("get", 1, "clear", 0), ("dte_set", 1, "set", 0), ("vfctrl", 1, "set", 1),
            ("get", 2, "set", 1), ("dte_set", 2, "set", 1), ("vfctrl", 2, "set", 2),
            # a1's destroy: VF control to 0, then the DTE a2 still uses is cleared
            ("dte_clear", 2, "clear", 1), ("put", 1, "clear", 1),
            ("dte_clear", 1, "clear", 0), ("put", 0, "clear", 0)]
    equal(got, want, "every change of refs and of DTE / VF control state")
    equal([p["gid"] for p in t["changes"] if p["op"] == "dte_clear"],
          [c["a1"]["gid"], c["a2"]["gid"]], "which vIOMMU cleared")
    rt = reps[0]["timeline"]
    equal([p["op"] for p in rt["changes"]], [w[0] for w in want[:7]],
          "the report's timeline runs up to the clear")
    text = read(d, "tltext.out")
    expect(re.search(r"^  timeline seg=0 kvmfd=\d+ gen=1 trans_devid=0xffff owner=\d+/tdvctl "
                     r"live$", text, re.M), "text: the report's timeline (entry still live)", text)
    expect(re.search(r"^    [\d.]+ dte_clear  refs=2 pid \d+ \(tdvctl\) gid \d+ iommu 0x0002 "
                     r"dte=clear vfctrl=1$", text, re.M), "text timeline line", text)


def check_stacks(d):
    equal(rc(d, "stacks.ctl.rc"), 0, "the VMM ran its script and exited")
    reps = leaks_reports(d, "stacks")
    equal([r["kind"] for r in reps], ["leak_ref"], "the injected leak")
    ev = reps[0]["evidence"][0]
    k, u = ev.get("kstack", []), ev.get("ustack", [])
    # The stack starts at the get's caller: none of tdvtrace's own frames
    # (its program, trampolines, the traced function's patched entry).
    expect(k and re.match(r"amd_iommufd_viommu_init\+0x[0-9a-f]+ \[tdvsim\]$", k[0]),
           "kernel stack starts at the get's caller in tdvsim", k)
    expect(not any(re.match(r"(bpf_prog_|bpf_trampoline_|amd_iommu_get_trans_devid_by_kvmfd)", f)
                   for f in k), "no tdvtrace frames", k)
    equal(sum(f.startswith("amd_iommufd_viommu_init+") for f in k), 1,
          "the traced caller once (its own trampoline skipped)")
    expect(any(f.startswith("__x64_sys_ioctl+0x") for f in k), "and the ioctl", k)
    # The VMM exited before the report: its frames were captured at the get.
    # Static glibc has no frame pointers: the walk from its ioctl skips the
    # caller (do_viommu); the copied stack, unwound with DWARF CFI, has it.
    expect(u and re.match(r"(__)?ioctl\+0x[0-9a-f]+ \(/bin/tdvctl\)$", u[0]),
           "user stack starts in the VMM's ioctl, symbolized from its ELF", u)
    expect(len(u) > 1 and re.match(r"do_viommu\+0x[0-9a-f]+ \(/bin/tdvctl\)$", u[1]),
           "then its caller, which only the DWARF unwind finds", u)
    expect(any(re.match(r"run_script\+0x[0-9a-f]+ \(/bin/tdvctl\)$", f) for f in u[2:]),
           "the VMM's own functions, named after it exited", u)
    expect(re.match(r"_start\+0x[0-9a-f]+ \(/bin/tdvctl\)$", u[-1]),
           "down to the entry point: the whole stack", u)
    expect(all(f.endswith(" (/bin/tdvctl)") for f in u), "every frame in the VMM's code", u)
    text = read(d, "stackstext.out")
    frames = re.findall(r"^        (kernel|user): +(.*)$", text, re.M)
    expect(frames and frames[0][0] == "kernel"
           and re.match(r"amd_iommufd_viommu_init\+0x[0-9a-f]+ \[tdvsim\]$", frames[0][1]),
           "text: kernel frames from the get's caller", text)
    expect(re.search(r"^        user:   (__)?ioctl\+0x[0-9a-f]+ \(/bin/tdvctl\)\n"
                     r"        user:   do_viommu\+0x[0-9a-f]+ \(/bin/tdvctl\)$", text, re.M),
           "text: user frames", text)
    expect(all(f.endswith(" (/bin/tdvctl)") for kind, f in frames if kind == "user"),
           "text: no user frame outside the VMM's code", text)
    # Its VM shares seg 1's id with the entry leaked before (both segments
    # hold one): the destroy's DTE clear is clear_while_shared too.
    reps = [r for r in leaks_reports(d, "stackskp") if r["kind"] == "leak_ref"]
    equal(len(reps), 1, "kprobes: the injected leak")
    ev = reps[0]["evidence"][0]
    k, u = ev.get("kstack", []), ev.get("ustack", [])
    expect(k and re.match(r"amd_iommufd_viommu_init\+0x[0-9a-f]+ \[tdvsim\]$", k[0]),
           "kprobes: kernel stack starts at the get's caller", k)
    expect(len(u) > 1 and re.match(r"do_viommu\+0x[0-9a-f]+ \(/bin/tdvctl\)$", u[1]),
           "kprobes: the user stack unwound past ioctl", u)


def check_leaks_fault_churn(d):
    """Each fired fault is one report (see tdvsim_uapi.h), plus the hazards."""
    counts = json.loads(read(d, "faults.counts.json"))
    fired, leaks, stale = {}, set(), 0
    for line in read(d, "faults.truth").splitlines():
        a = json.loads(line)
        for f in a.get("fired", []):
            fired[f] = fired.get(f, 0) + 1
            if f == "skip_put":  # one leak_ref per entry and VM
                leaks.add((a["seg"], a["kvmfd"], a["gen"], a["pid"], a["vm"]))
            # A DTE left set is stale only if this destroy released the
            # entry: while refs remain (another vIOMMU, or this one's put
            # skipped too), the next holder's teardown clears the same DTE.
            if f == "skip_dte_clear" and a["refs"] == 0:
                stale += 1
    expect(sum(fired.values()) > 20, "faults fired", fired)
    want = {
        "leak_ref": len(leaks),
        "unbalanced_put": fired.get("double_put", 0),
        "stale_dte": stale,
        "leak_id": fired.get("skip_id_free", 0),
        "alloc_fail": fired.get("fail_alloc_enospc", 0) + fired.get("fail_alloc_enomem", 0),
        "alias": sum(counts["alias"]),
        "clear_while_shared": sum(counts["clear_while_shared"]),
        # each fail_init_one clears DTE 0 in the driver's error path: said once
        "driver_dte0": min(fired.get("fail_init_one", 0), 1),
    }
    want = {k: v for k, v in want.items() if v}
    reps = leaks_reports(d, "faults")
    got = {}
    for r in reps:
        got[r["kind"]] = got.get(r["kind"], 0) + 1
    equal(got, want, "reports = faults fired + the patch's hazards")
    equal(sorted((r["seg"], r["kvmfd"], r["gen"]) for r in reps if r["kind"] == "leak_ref"),
          sorted((s, k, g) for s, k, g, _, _ in leaks), "leak_ref: which entries")
    expect("0 lost" in read(d, "faults.err"), "nothing lost")
    if fired.get("fail_init_one", 0) > 1:
        expect("the driver cleared DTE 0 in %d failed vIOMMU inits" % fired["fail_init_one"]
               in read(d, "faults.err"), "driver_dte0: every one counted", read(d, "faults.err"))
    equal(rc(d, "faults.rc"), 3, "exit status 3")


HIST_TRUTH = {  # (func, outcome) -> the simulator's count of those calls
    ("put", None): "puts",
    ("id_alloc", None): "id_allocs",
    ("viommu_init", None): "viommu_inits",
    ("viommu_destroy", None): "viommu_destroys",
    ("dte_set", None): "dte_sets",
    ("dte_clear", None): "dte_clears",
    ("get", "new"): "gets_new",
    ("get", "failed"): "gets_failed",
}


def hist_objects(d, name):
    objs = events(d, name)
    for h in objs:
        equal(sum(b["count"] for b in h["buckets"]), h["count"],
              "%s: %s buckets add up to its count" % (name, h["func"]))
        for b in h["buckets"]:
            expect(b["low"] <= b["high"], "%s: bucket bounds" % name, b)
    return objs


def hist_counts(objs):
    """(func, outcome, seg) -> calls, summed over intervals and occupancy."""
    got = {}
    for h in objs:
        k = (h["func"], h.get("outcome"), h["seg"])
        got[k] = got.get(k, 0) + h["count"]
    return got


def check_hist_churn(d):
    t = traced_pool(d)
    nprobes = 7 if "id_alloc" in t else 6  # no histogram of an inlined allocator
    for mode in ("fentry", "kprobe"):
        truth = json.loads(read(d, mode + ".truth.json"))
        got = hist_counts(hist_objects(d, mode + ".json"))
        want = {}
        for seg in (0, 1):
            for (func, outcome), field in HIST_TRUTH.items():
                if func not in POOL_PROBES or func in t:
                    want[(func, outcome, seg)] = truth[field][seg]
            want[("get", "shared", seg)] = (truth["gets"][seg] - truth["gets_new"][seg] -
                                           truth["gets_failed"][seg])
        want = {k: v for k, v in want.items() if v}
        equal(got, want, mode + ": calls per function, outcome and segment = the driver's")
        # unserialized: which segment the failures land on varies by run
        expect(sum(truth["gets_failed"]) and sum(truth["gets_new"]),
               mode + ": the churn made new, shared and failed gets", truth)
        err = read(d, mode + ".err")
        expect(re.search(r"attached %d probes \(%s" % (
            nprobes, "%d fentry" % nprobes if mode == "fentry"
            else "0 fentry, %d kprobe" % nprobes), err),
            mode + ": %d probes, all %s" % (nprobes, mode), err)
        expect("tdvtrace: %d calls, 0 lost, 0 missed" % sum(got.values()) in err,
               mode + ": the exit summary counts every call", err)
        equal(rc(d, mode + ".rc"), 0, mode + ": exit status")


def check_hist_occupancy(d):
    t = traced_pool(d)
    objs = hist_objects(d, "occ.json")
    allocs = sorted((h["seg"], json.dumps(h["occupancy"], sort_keys=True), h["count"])
                    for h in objs if h["func"] == "id_alloc")
    occ = lambda lo, hi: json.dumps({"low": lo, "high": hi}, sort_keys=True)
    # An inlined trans_devid_alloc has no calls to time: no histogram.
    equal(allocs, sorted([(0, occ(0, 1), 1), (0, occ(16, 31), 1), (0, occ(256, 511), 1),
                          (0, occ(4096, 8191), 1), (0, json.dumps({"full": True}), 1)])
          if "id_alloc" in t else [],
          "id_alloc: one call in each occupancy class, in segment 0, where traced")
    for h in objs:
        equal(h["unit"], "nsecs", "-n: nanoseconds")
        expect("interval" not in h, "no interval: one summary", h)
    text = read(d, "text.out")
    titles = ["get, new id", "get, failed", "put", "viommu_init", "viommu_destroy",
              "dte_set", "dte_clear"]
    if "id_alloc" in t:
        titles += ["id_alloc, pool occupancy 4096 -> 8191", "id_alloc, pool full"]
    else:
        expect(not re.search(r"^id_alloc", text, re.M), "text: no id_alloc histogram", text)
    for title in titles:
        expect(re.search(r"^%s\n\s+msecs\s+: count\s+distribution$" % re.escape(title),
                         text, re.M), "text: a histogram titled %r in msecs" % title, text)
    expect(re.search(r"^\s+0 -> 1\s+: \d+\s+\|\*+\s*\|$", text, re.M),
           "text: bcc-style buckets with bars", text)
    expect(re.search(r"^count 5, avg [\d.]+, p50 ~[\d.]+, p99 ~[\d.]+ msecs$", text, re.M),
           "text: summary line for the 5 viommu_inits", text)


def check_hist_interval(d):
    equal(rc(d, "interval.rc"), 0, "hist 1 3 exits by itself, status 0")
    # Three 1 s intervals cannot end sooner. No upper bound: attaching under
    # a full-speed churn takes what TCG gives it (seen 3 to 11 s), and a
    # hist that never stopped would be killed by the scenario's timeout.
    secs = int(read(d, "interval.secs"))
    expect(secs >= 3, "hist 1 3 ran at least its three intervals", secs)
    objs = hist_objects(d, "interval.out")
    equal(sorted({h["interval"] for h in objs}), [1, 2, 3], "three intervals, numbered")
    for h in objs:
        expect(re.match(r"^\d\d:\d\d:\d\d$", h["time"]), "-T: a time per interval", h)
    for case, what in (("bad_interval", "invalid interval '0'"),
                       ("bad_count", "invalid count 'x'"),
                       ("bad_kvmfd", "--kvmfd does not apply to hist")):
        equal(rc(d, case + ".rc"), 2, case + ": usage error")
        expect(what in read(d, case + ".err"), case + ": says what is wrong",
               read(d, case + ".err"))


ALL_KINDS = {"get", "put", "id_alloc", "id_free", "reserve", "dte_set", "dte_clear", "vfctrl",
             "viommu_init", "viommu_destroy", "viommu_uninit", "seg_fini", "vm_destroy",
             "proc_exit"}


def untimed(x):
    """x without its timestamps and latencies: two sessions see one call at
    slightly different times."""
    if isinstance(x, dict):
        return {k: untimed(v) for k, v in x.items()
                if k not in ("ts_ns", "lat_ns", "created_ns", "released_ns", "lifetime_ns")}
    if isinstance(x, list):
        return [untimed(v) for v in x]
    return x


def report_key(r):
    return json.dumps(untimed(r), sort_keys=True)


def partial_of(d, name):
    lines = read(d, name).splitlines()
    expect(lines, name + ": output")
    last = json.loads(lines[-1])
    expect("partial" in last, name + ": ends with a partial marker", lines[-1])
    return last["partial"]


def check_record_report(d):
    t = traced_pool(d)
    # 1. every kind round trips (an inlined pool operation has no event)
    live = events(d, "all_trace.json")
    replay = events(d, "all_events.out")
    equal({e["event"] for e in live}, ALL_KINDS - (set(POOL_PROBES) - t),
          "the script made every event kind the probes can see")
    if "id_free" not in t:
        expect(any(e.get("id_state") == "free" for e in live if e["event"] == "put"),
               "final puts read trans_devid_xa back", live)
    equal([untimed(e) for e in replay], [untimed(e) for e in live],
          "report --format events = what trace --json saw")
    equal(read(d, "all.mode").strip(), "600", "recording mode 0600")
    equal(rc(d, "all_rec.rc"), 0, "record: SIGTERM ends it, status 0")
    equal(rc(d, "all_events.rc"), 0, "report of a complete recording: status 0")
    expect(re.search(r"tdvtrace: \d+ events, 0 lost", read(d, "all_rec.err")),
           "record: exit summary", read(d, "all_rec.err"))

    seeded = events(d, "seeded_report.out")
    equal([o for o in seeded if "kind" in o], [], "seeded: entries that predate it are no report")
    equal(rc(d, "seeded_report.rc"), 0, "seeded: status 0")
    expect("tdvtrace: found 2 live entries" in read(d, "seeded_rec.err"),
           "seeded: record found the two live entries", read(d, "seeded_rec.err"))

    # 2. report equals live
    live_reps = [r for r in events(d, "live.json") if "kind" in r]
    objs = events(d, "report_json.out")
    reps = [r for r in objs if "kind" in r]
    expect(len({r["kind"] for r in live_reps}) >= 4, "the churn made several report kinds",
           sorted({r["kind"] for r in live_reps}))
    equal(sorted(map(report_key, reps)), sorted(map(report_key, live_reps)),
          "report --format json makes the reports leaks made live")
    equal(rc(d, "report_json.rc"), 3, "report: status 3 when it reports")
    equal(rc(d, "live.rc"), 3, "leaks: status 3")
    hists = [o for o in objs if "func" in o]
    funcs = {"get", "put", "viommu_init", "viommu_destroy"} | ({"id_alloc"} & t)
    equal(funcs & {"id_alloc"}, {h["func"] for h in hists} & {"id_alloc"},
          "report: an id_alloc histogram only where it was traced")
    expect(funcs <= {h["func"] for h in hists},
           "report: histograms of the recorded calls", sorted({h["func"] for h in hists}))
    for h in hists:
        equal(sum(b["count"] for b in h["buckets"]), h["count"], "histogram buckets add up")
    expect(not any("partial" in o for o in objs), "a complete recording is not partial")
    err = read(d, "report_json.err")
    # The release of the kernel the guest ran (6.1 or 6.12), from /init's guest-info.
    info = read(os.path.dirname(d), "guest-info")
    release = re.search(r"^kernel: (\S+)$", info, re.M).group(1)
    expect(re.search(r"recorded on \S+ \(kernel " + re.escape(release) + r", tdvtrace [\d.]+\) from "
                     r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d for [\d.]+ s", err),
           "report: says where and when it was recorded", err)
    text = read(d, "report.txt")
    for kind in {r["kind"] for r in live_reps}:
        expect(re.search(r"^[\d.]+ %s seg=" % kind, text, re.M),
               "text: %s report" % kind, text[:2000])
    expect(re.search(r"^  timeline seg=\d+ kvmfd=\d+ gen=\d+", read(d, "timelines.txt"), re.M),
           "text: --timelines", read(d, "timelines.txt")[:2000])
    seg1 = [r for r in events(d, "seg1.out") if "kind" in r]
    expect(seg1 and all(r["seg"] == 1 for r in seg1 if "seg" in r),
           "--seg 1: only segment 1's reports", seg1)
    expect(not [o for o in events(d, "seg1.out") if "func" in o], "--no-hist: no histograms")

    # perfetto: Chrome trace event JSON with the tracks described
    equal(rc(d, "perfetto.rc"), 3, "perfetto: status 3 (reports)")
    trace = json.loads(read(d, "churn.perfetto.json"))
    evs = trace["traceEvents"]
    procs = [e for e in evs if e.get("ph") == "M" and e.get("name") == "process_name"]
    names = [e["args"]["name"] for e in procs]
    expect(len(names) >= 2 and len(set(names)) == len(names) and
           all(re.match(r"^VM (0x[0-9a-f]+|unknown)\b", n) for n in names),
           "perfetto: one process track per VM", names)
    counters = {e["name"] for e in evs if e.get("ph") == "C"}
    expect(counters and all(n.startswith("refs seg ") for n in counters),
           "perfetto: refs counter tracks per (seg, kvmfd, gen)", sorted(counters)[:5])
    instants = {e["name"] for e in evs if e.get("ph") in ("i", "I")}
    expect({r["kind"] for r in live_reps} <= instants, "perfetto: an instant per report kind",
           sorted(instants))
    # The churn sets, clears and points VF control at DTEs: each is an
    # instant in the "dte" / "vfctrl" category (a stale_dte report is not).
    changes = {(e["cat"], e["name"]) for e in evs if e.get("ph") == "i" and e["cat"] != "report"}
    equal(changes, {("dte", "dte_set"), ("dte", "dte_clear"), ("vfctrl", "vfctrl")},
          "perfetto: DTE and VF control instants")

    # svg: well-formed, renders
    import subprocess
    import xml.etree.ElementTree as ET
    root = ET.fromstring(read(d, "churn.svg"))
    expect(root.tag.endswith("svg"), "svg: an <svg> document", root.tag)
    png = os.path.join(d, "churn.png")
    subprocess.run(["rsvg-convert", "-o", png, os.path.join(d, "churn.svg")], check=True)
    expect(os.path.getsize(png) > 1000, "svg renders to a PNG", os.path.getsize(png))

    # 3. damage
    p = partial_of(d, "killed_report.out")
    equal((rc(d, "killed_report.rc"), p["status"]), (4, "truncated"),
          "a killed recording: readable, marked truncated")
    expect(p["records"] > 10, "killed: what was flushed is read", p)
    p = partial_of(d, "cut_report.out")
    equal((rc(d, "cut_report.rc"), p["status"]), (4, "truncated"), "a cut file: truncated")
    expect("offset %d" % p["offset"] in p["error"], "cut: the error names the offset", p)
    err = read(d, "flip_report.err")
    equal(rc(d, "flip_report.rc"), 4, "a corrupt file: status 4")
    expect(re.search(r"corrupt.*offset \d+|offset \d+.*corrupt", err, re.I), "flip: corrupt at an offset", err)
    expect("PARTIAL REPORT" in read(d, "flip_report.out"), "flip: the text report is marked partial")
    for case in ("foreign_report", "missing_report"):
        equal(rc(d, case + ".rc"), 1, case + ": status 1 (nothing to analyse)")
        expect(read(d, case + ".err").strip(), case + ": says why")
    expect("No such file" in read(d, "missing_report.err"), "missing: says so")
    equal(rc(d, "no_output.rc"), 2, "record without -o: usage")
    expect("-o FILE" in read(d, "no_output.err"), "no -o: says what to do")
    equal(rc(d, "bad_dir.rc"), 1, "record into a missing directory: status 1")
    expect("cannot create /nonexistent/x.rec" in read(d, "bad_dir.err"), "bad dir: says so")
    expect("attached" not in read(d, "bad_dir.err"), "bad dir: fails before attaching")
    equal(rc(d, "bad_format.rc"), 2, "--format xml: usage")


def check_files_output(d):
    # 1. record -o
    equal(rc(d, "nopatch.rc"), 1, "record without the patch: status 1")
    expect("lacks the trans_devid patch" in read(d, "nopatch.err"), "nopatch: says why",
           read(d, "nopatch.err"))
    equal(read(d, "nopatch.ls"), "", "a failed start-up leaves no file, no temporary")
    equal(rc(d, "planted.rc"), 1, "record over a planted symlink: refused")
    expect("/tmp/fo/planted.rec exists: give --force to replace it" in read(d, "planted.err"),
           "planted: says --force", read(d, "planted.err"))
    expect("attached" not in read(d, "planted.err"), "planted: refused before attaching")
    equal(rc(d, "planted_force.rc"), 0, "record --force: status 0")
    equal(read(d, "planted.stat").strip(), "regular file 600",
          "--force replaced the link itself with a new 0600 file")
    equal(read(d, "victim.content"), "secret\n", "the link's target is untouched")
    equal(read(d, "victim.stat").strip(), "640", "the link's target keeps its mode")
    equal(rc(d, "planted_report.rc"), 0, "the forced recording is whole")
    equal(rc(d, "hup.rc"), 0, "SIGHUP ends record with status 0")
    equal(rc(d, "hup_report.rc"), 0, "the SIGHUP recording is complete (END record)")
    expect(not any("partial" in o for o in events(d, "hup_report.out")),
           "hup: not partial")
    # 2. report
    for case in ("same", "same_link"):
        equal(rc(d, case + ".rc"), 1, case + ": -o is the recording: status 1")
        expect("is the recording being read: give another -o" in read(d, case + ".err"),
               case + ": says why", read(d, case + ".err"))
    equal(read(d, "same.cmp").strip(), "same", "report -o REC --force left REC as it was")
    equal(rc(d, "typo.rc"), 1, "a missing recording: status 1")
    equal(read(d, "typo.content"), "old\n", "a missing recording leaves -o as it was")
    equal(rc(d, "exists.rc"), 1, "-o over an existing file: refused")
    expect("/tmp/fo/old.txt exists: give --force to replace it" in read(d, "exists.err"),
           "exists: says --force", read(d, "exists.err"))
    equal(rc(d, "forced.rc"), 0, "-o --force: status 0")
    equal(read(d, "forced.mode").strip(), "644", "the new -o file has fopen's mode")
    for case in ("zero", "fifo"):
        equal(rc(d, case + ".rc"), 1, case + ": not a regular file: status 1")
        expect("cannot read: not a regular file (give a recording file, or - and the "
               "recording on standard input)" in read(d, case + ".err"),
               case + ": says why", read(d, case + ".err"))
    equal(rc(d, "stdin.rc"), 0, "report - reads standard input")
    expect("tdvtrace: -: recorded on" in read(d, "stdin.err"), "stdin: described",
           read(d, "stdin.err"))
    equal(sorted(read(d, "final.ls").split()),
          sorted(["fifo", "hup.rec", "keep.rec", "link.rec", "old.txt", "planted.rec",
                  "victim"]), "no temporary file left behind")
    # 3. write errors
    equal(rc(d, "full.rc"), 1, "trace > /dev/full: status 1")
    expect("tdvtrace: writing standard output: No space left on device" in read(d, "full.err"),
           "full: says why", read(d, "full.err"))
    expect(int(read(d, "full.secs")) < 30, "full: ends at once, not at -d",
           read(d, "full.secs"))
    for mode in ("default", "ignored", "json"):
        name = "pipe_" + mode
        equal(rc(d, name + ".rc"), 0, name + ": a closed pipe ends trace with status 0")
        err = read(d, name + ".err")
        expect(re.search(r"tdvtrace: \d+ events, 0 lost", err), name + ": summary", err)
        expect("writing" not in err, name + ": quietly", err)
        expect(int(read(d, name + ".secs")) < 30, name + ": ends by itself, not at -d",
               read(d, name + ".secs"))
    expect(read(d, "pipe_default.out").startswith("TIME(s)"), "head got the header")
    equal(json.loads(read(d, "pipe_json.out"))["event"] in ALL_KINDS, True,
          "head got one event")
    # 4. escaped names
    out = read(d, "evil.out")
    expect("\x1b" not in out, "no raw ESC in text output", out[:500])
    lines = [l for l in out.splitlines() if " get " in l]
    equal(len(lines), 1, "one get line: the newline in comm did not split it")
    expect("ev\\x1b[2J\\x0ail" in lines[0], "comm escaped", lines[0])


def truth_records(d, name):
    return [json.loads(l) for l in read(d, name).splitlines() if l.strip()]


def check_vm_file_leak(d):
    """Ground truth of the driver's fdget without fdput: with idle threads
    (a shared fd table) and no fix, each VM the driver resolved keeps its
    file forever and kvm.ko's kvm_destroy_vm never runs for it; with
    fixed=1, or single-threaded, each VM is destroyed exactly once."""
    for case, threads, pinned in (("threads", 2, True), ("fixed", 2, False),
                                  ("single", 0, False)):
        recs = truth_records(d, case + ".truth")
        creates = [r for r in recs if r["op"] == "viommu"]
        equal(len(creates), 3, "%s: vIOMMU creates in the truth" % case)
        for r in creates:
            equal((r["ret"], r["threads"], r["vm_pinned"]), (0, threads, pinned),
                  "%s: viommu %s: ret, threads, VM file pinned" % (case, r["viommu"]))
        vms = {}
        for r in creates:
            vms.setdefault(r["vm"], set()).add(int(r["kvm"], 16))
        for vm, ptrs in vms.items():
            expect(len(ptrs) == 1 and 0 not in ptrs,
                   "%s: VM %s resolved to one struct kvm" % (case, vm), ptrs)
        want = {vm: ptrs.pop() for vm, ptrs in vms.items()}
        expect(len(set(want.values())) == 2, "%s: two VMs, two struct kvm" % case, want)
        counts = json.loads(read(d, case + ".counts"))
        equal(sum(counts["vm_resolves"]), 3, "%s: viommu inits that resolved a VM" % case)
        equal(sum(counts["vm_pins"]), 3 if pinned else 0,
              "%s: VM file references the driver never dropped" % case)
        destroyed = [int(e["vm"], 16) for e in events(d, case + ".json")
                     if e["event"] == "vm_destroy"]
        for vm, kvm in sorted(want.items()):
            equal(destroyed.count(kvm), 0 if pinned else 1,
                  "%s: kvm_destroy_vm of VM %s (0x%x) in tdvtrace trace" % (case, vm, kvm))
        # tdvtrace leaks: each VM that outlived its VMM, nothing else.
        reps = leaks_reports(d, case + "_leaks")
        equal(sorted((r["kind"], int(r["vm"], 16)) for r in reps),
              sorted(("vm_not_destroyed", kvm) for kvm in want.values()) if pinned else [],
              "%s: tdvtrace leaks reports" % case)
        inits = {kvm: sum(1 for r in creates if int(r["kvm"], 16) == kvm)
                 for kvm in want.values()}
        for r in reps:
            equal(r["confidence"], "exact", "%s: vm_not_destroyed confidence" % case)
            expect("(%d viommu_init%s resolved it); it holds 0 entries with 0 refs"
                   % (inits[int(r["vm"], 16)], "" if inits[int(r["vm"], 16)] == 1 else "s")
                   in r["detail"], "%s: the report counts the VM's viommu_inits" % case,
                   r["detail"])


def main():
    root = sys.argv[1]
    passed = failed = 0
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        if not os.path.isdir(d):
            continue
        fn = globals().get("check_" + re.sub(r"^\d+-", "", name).replace("-", "_"))
        try:
            status = rc(d, "rc")
            if status != 0:
                raise Failure("scenario exited %d; log tail:\n%s" % (
                    status, "\n".join(read(d, "log").splitlines()[-20:])))
            if fn:
                fn(d)
            print("PASS %s" % name)
            passed += 1
        except Failure as e:
            print("FAIL %s: %s" % (name, e))
            failed += 1
        except (KeyError, IndexError, TypeError, ValueError) as e:
            # A field missing from an event is a failure, not a crash.
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
