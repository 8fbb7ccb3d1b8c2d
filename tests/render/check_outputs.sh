#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Check the sample timeline outputs the unit tests write (test_capture):
# timeline.json is a Chrome trace with the tracks tdvtrace promises, and
# timeline.svg is well-formed, self-contained and renders to a PNG.
#
# usage: tests/render/check_outputs.sh [SAMPLES_DIR]   (.output/unit/samples)
set -eu

dir=${1:-.output/unit/samples}
json=$dir/timeline.json
svg=$dir/timeline.svg
png=$dir/timeline.png

for f in "$json" "$svg"; do
	[ -s "$f" ] || { echo "check_outputs: $f missing or empty (run make unit)" >&2; exit 1; }
done
command -v rsvg-convert >/dev/null 2>&1 ||
	{ echo "check_outputs: rsvg-convert missing (apt-get install librsvg2-bin)" >&2; exit 1; }

python3 - "$json" <<'PY'
import json, sys

KINDS = {"leak_ref", "leak_id", "unbalanced_put", "alias", "stale_dte",
         "clear_while_shared", "reserve_clash", "alloc_fail", "fini_live",
         "vm_not_destroyed", "driver_dte0"}
CHANGES = {"dte_set", "dte_clear", "vfctrl"}

def fail(msg):
    sys.exit(f"check_outputs: {sys.argv[1]}: {msg}")

with open(sys.argv[1], encoding="utf-8") as f:  # UTF-8 as it is, other bytes past ASCII escaped
    doc = json.load(f)
if doc.get("displayTimeUnit") != "ms":
    fail("displayTimeUnit is not ms")
events = doc.get("traceEvents")
if not isinstance(events, list) or not events:
    fail("no traceEvents")

procs = {e["pid"]: e["args"]["name"] for e in events
         if e["ph"] == "M" and e["name"] == "process_name"}
threads = {e["tid"]: (e["pid"], e["args"]["name"]) for e in events
           if e["ph"] == "M" and e["name"] == "thread_name"}
vms = [n for n in procs.values() if n.startswith("VM 0x")]
if len(vms) < 12 or len(set(vms)) != len(vms):
    fail(f"want a process per VM (12 or more, distinct), got {sorted(procs.values())}")
if "VM unknown" not in procs.values():
    fail("no 'VM unknown' process")
if len(procs) != len(vms) + 1:
    fail("a process that is no VM")

for e in events:
    if e["ph"] == "M":
        continue
    if not isinstance(e.get("ts"), (int, float)) or e["ts"] < 0:
        fail(f"bad ts in {e}")
    if e["pid"] not in procs:
        fail(f"event of no VM process: {e}")
    if "tid" in e and (e["tid"] not in threads or threads[e["tid"]][0] != e["pid"]):
        fail(f"event of no entry thread of its VM: {e}")

lives = [e for e in events if e["ph"] == "X"]
if len(lives) != len(threads) or {e["tid"] for e in lives} != set(threads):
    fail("want one X slice per entry thread")
if any(e["dur"] < 0 for e in lives):
    fail("negative duration")

counters = [e for e in events if e["ph"] == "C"]
names = {e["name"] for e in counters}
want = {"refs " + threads[e["tid"]][1] for e in lives if e["args"]["changes"]}
if not counters or want != names:
    fail(f"want a refs counter per entry with changes: {sorted(want ^ names)}")
if any(not n.startswith("refs seg ") for n in names):
    fail("counter not named 'refs seg ...'")
if any(not isinstance(e["args"].get("refs"), int) for e in counters):
    fail("counter without integer refs")

instants = [e for e in events if e["ph"] == "i"]
changes = [e for e in instants if e["name"] in CHANGES]
reports = [e for e in instants if e.get("cat") == "report"]
if {e["name"] for e in changes} != CHANGES or any(e["s"] != "t" for e in changes):
    fail("want thread-scoped dte_set, dte_clear and vfctrl instants")
if {e["name"] for e in reports} != KINDS:
    fail(f"want a report instant of every kind, got {sorted({e['name'] for e in reports})}")
if any(e["s"] not in ("t", "p") or (e["s"] == "t") != ("tid" in e) for e in reports):
    fail("report instants must be thread-scoped on an entry or process-scoped")
if any(e["args"]["kind"] != e["name"] or "detail" not in e["args"] for e in reports):
    fail("report instant args without kind or detail")
print(f"check_outputs: {sys.argv[1]}: {len(vms)} VMs + unknown, {len(threads)} entries, "
      f"{len(counters)} counter samples, {len(changes)} DTE/VF changes, {len(reports)} reports")
PY

python3 - "$svg" <<'PY'
import sys
import xml.etree.ElementTree as ET

def fail(msg):
    sys.exit(f"check_outputs: {sys.argv[1]}: {msg}")

NS = "{http://www.w3.org/2000/svg}"
try:
    root = ET.parse(sys.argv[1]).getroot()
except ET.ParseError as e:
    fail(f"not well-formed XML: {e}")
if root.tag != NS + "svg":
    fail(f"root is {root.tag}")
for el in root.iter():
    if el.tag in (NS + "script", NS + "image", NS + "foreignObject", NS + "use"):
        fail(f"not self-contained: <{el.tag}>")
    for k, v in el.attrib.items():
        if k.endswith("href") or k.startswith("on") or "url(" in v:
            fail(f"not self-contained: {k}={v!r}")
rows = root.findall(f".//{NS}g[@class='row']")
vms = root.findall(f".//{NS}g[@class='vm']")
reports = root.findall(f".//{NS}g[@class='report']")
if len(vms) < 13 or len(rows) < 12 or not reports:
    fail(f"want 12+ VMs and unknown, 12+ rows and reports: {len(vms)}, {len(rows)}, {len(reports)}")
if any(r.find(NS + "title") is None for r in reports):
    fail("a report marker without a <title>")
labels = [t.text for t in root.iter(NS + "text") if t.get("class") == "lbl"]
if len(labels) != len(rows) or not all(l.startswith("VM ") and " seg " in l for l in labels):
    fail(f"row labels: {labels}")
ticks = [t.text for t in root.iter(NS + "text") if t.get("class") == "tick"]
if len(ticks) < 4 or not all(t.endswith(" s") or t.endswith(" ms") for t in ticks):
    fail(f"time axis ticks: {ticks}")
print(f"check_outputs: {sys.argv[1]}: {len(vms)} VM groups, {len(rows)} rows, "
      f"{len(reports)} report markers, ticks {ticks[0]}..{ticks[-1]}")
PY

rm -f "$png"
rsvg-convert -f png -o "$png" "$svg"
python3 - "$svg" "$png" <<'PY'
import struct, sys, zlib
import xml.etree.ElementTree as ET

svg, png = sys.argv[1], sys.argv[2]
def fail(msg):
    sys.exit(f"check_outputs: {png}: {msg}")

data = open(png, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    fail("not a PNG")
width, height = struct.unpack(">II", data[16:24])
root = ET.parse(svg).getroot()
if (width, height) != (int(float(root.get("width"))), int(float(root.get("height")))):
    fail(f"{width}x{height}, the SVG says {root.get('width')}x{root.get('height')}")
idat, pos = b"", 8
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
pixels = zlib.decompress(idat)
if len(set(pixels)) < 8:
    fail("blank image")
print(f"check_outputs: {png}: {width}x{height}, {len(data)} bytes")
PY
echo "check_outputs: ok"
