#!/usr/bin/env python3
"""Helper for scripts/bench.sh: checks one run's output, and turns the timings
into the Markdown table.

  bench_report.py check-diagnose JSON RC UDID   # prints "ok" or why the run failed
  bench_report.py check-hung JSON RC            # same, for the hung-daemon run
  bench_report.py report RESULTS.tsv META.json [DIAG.json]

RESULTS.tsv has one line per timed run: name, run, start, end (seconds, from
bash's EPOCHREALTIME) and "ok" or the reason the run failed.
"""

import json
import statistics
import sys

TARGET_VS_LIBIMOBILEDEVICE = 1 / 3
TARGET_VS_PYMOBILEDEVICE3 = 1 / 10
TARGET_HUNG_SLACK = 1.10
TARGET_RSS_MB = 30.0
# Ten phones are probed concurrently: at most this many times one phone.
TARGET_TEN_VS_ONE = 5.0
# The slow phone (every answer 2 s late): diagnose against libimobiledevice's
# sequence for the same facts, side by side on one simulator (issue 28).
TARGET_SLOW_VS_LIBIMOBILEDEVICE = 0.25


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_diagnose(path, rc, udid):
    """A healthy-phone diagnosis: a verdict exit code that matches the JSON,
    not blocked, and the simulated phone listed."""
    try:
        doc = load_json(path)
    except (OSError, ValueError) as e:
        return f"exit {rc}, no JSON report ({e})"
    if doc.get("exit_code") != rc:
        return f"exit {rc} but the report says exit_code {doc.get('exit_code')}"
    if rc not in (0, 1):
        ids = [f.get("id") for f in doc.get("findings", []) if f.get("severity") == "blocker"]
        return f"exit {rc} ({doc.get('verdict')}: {', '.join(ids)}) on the healthy phone"
    if udid not in [d.get("udid") for d in doc.get("devices", [])]:
        return f"the simulated phone {udid} is not in the report"
    return "ok"


def check_hung(path, rc):
    """A hung usbmuxd must be reported as such (usbmuxd.unresponsive)."""
    if rc == 124:
        return "did not finish (killed by timeout 60)"
    try:
        doc = load_json(path)
    except (OSError, ValueError) as e:
        return f"exit {rc}, no JSON report ({e})"
    ids = [f.get("id") for f in doc.get("findings", [])]
    if "usbmuxd.unresponsive" not in ids:
        return f"exit {rc}, findings {ids} lack usbmuxd.unresponsive"
    return "ok"


def fmt_s(seconds):
    if seconds is None:
        return "–"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_mb(kb):
    return f"{kb * 1024 / 1e6:.1f} MB"


def mark(ok):
    return "✅ met" if ok else "❌ missed"


def probe_durations(diag_path):
    """Where diagnose's own time went, from the snapshot in its last report."""
    try:
        probes = load_json(diag_path)["snapshot"]["probes"]
    except (OSError, ValueError, KeyError):
        return None
    parts = []
    for name in ("usb", "usbmuxd", "host", "backups"):
        o = probes.get(name) or {}
        if "duration_ms" in o:
            parts.append(f"{name} {o['duration_ms']} ms ({o.get('status')})")
    for i, dev in enumerate(probes.get("devices") or []):
        for name in ("pairing", "lockdown", "backup_service", "presence"):
            o = dev.get(name) or {}
            if "duration_ms" in o:
                parts.append(f"device {i + 1} {name} {o['duration_ms']} ms ({o.get('status')})")
    device_facts = any(
        (dev.get("lockdown") or {}).get("status") == "ok" for dev in probes.get("devices") or []
    )
    return parts, device_facts


def check_slow(path, rc):
    """A healthy phone answering 2 s late: finished, warnings at most, and
    its slowness named (connection.slow-replies), never "refused"."""
    if rc == 124:
        return "did not finish (killed by timeout 90)"
    try:
        doc = load_json(path)
    except (OSError, ValueError) as e:
        return f"exit {rc}, no JSON report ({e})"
    ids = [f.get("id") for f in doc.get("findings", [])]
    if rc not in (0, 1):
        return f"exit {rc}: the slow healthy phone was blocked ({ids})"
    if "connection.slow-replies" not in ids:
        return f"findings {ids} lack connection.slow-replies"
    if any("refused" in (f.get("title") or "") for f in doc.get("findings", [])):
        return f"a finding says refused: {ids}"
    return "ok"


def check_ten(path, rc, phones):
    """Ten healthy phones: all listed, none blocked."""
    try:
        doc = load_json(path)
    except (OSError, ValueError) as e:
        return f"exit {rc}, no JSON report ({e})"
    if rc not in (0, 1):
        return f"exit {rc} ({doc.get('verdict')}) on ten healthy phones"
    listed = len(doc.get("devices", []))
    if listed != phones:
        return f"{listed} phones in the report, not {phones}"
    return "ok"


def report(results_path, meta_path, diag_path=None):
    meta = load_json(meta_path)
    runs = {}
    failures = []
    with open(results_path, encoding="utf-8") as f:
        for line in f:
            name, run, t0, t1, verdict = line.rstrip("\n").split("\t", 4)
            r = runs.setdefault(name, {"ok": [], "total": 0})
            r["total"] += 1
            if verdict == "ok":
                r["ok"].append(float(t1) - float(t0))
            else:
                failures.append(f"{name} run {run}: {verdict}")

    def stats(name):
        r = runs.get(name, {"ok": [], "total": 0})
        ok = r["ok"]
        if not ok:
            return r, None, None, None
        return r, statistics.median(ok), min(ok), max(ok)

    all_met = True
    rows = []
    d_r, d_med, d_min, d_max = stats("diagnose")
    d_clean = d_med is not None and len(d_r["ok"]) == d_r["total"]
    rows.append(
        ["`diagnose --json`, healthy phone", f"{len(d_r['ok'])}/{d_r['total']}",
         fmt_s(d_med), fmt_s(d_min), fmt_s(d_max), "", "", "" if d_clean else "❌ runs failed"]
    )
    all_met &= d_clean

    for name, label, target, tname in (
        ("libimobiledevice", "libimobiledevice sequence (5 commands)",
         TARGET_VS_LIBIMOBILEDEVICE, "≤ 1/3 (0.333)"),
        ("pymobiledevice3", "pymobiledevice3 sequence (5 commands)",
         TARGET_VS_PYMOBILEDEVICE3, "≤ 1/10 (0.100)"),
    ):
        r, med, lo, hi = stats(name)
        clean = med is not None and len(r["ok"]) == r["total"]
        if med is not None and d_med is not None:
            ratio = d_med / med
            figure = f"diagnose ÷ this = **{ratio:.3f}** ({med / d_med:.0f}× faster)"
            met = clean and d_clean and ratio <= target
        else:
            figure, met = "no successful runs", False
        all_met &= met
        result = mark(met) if clean else "❌ runs failed"
        rows.append([label, f"{len(r['ok'])}/{r['total']}", fmt_s(med), fmt_s(lo), fmt_s(hi),
                     figure, tname, result])

    timeout = meta["hang_timeout_s"]
    limit = timeout * TARGET_HUNG_SLACK
    r, med, lo, hi = stats("diagnose_hung")
    clean = med is not None and len(r["ok"]) == r["total"]
    met = clean and hi <= limit
    all_met &= met
    rows.append(
        [f"`diagnose --timeout {timeout:g}`, hung usbmuxd", f"{len(r['ok'])}/{r['total']}",
         fmt_s(med), fmt_s(lo), fmt_s(hi),
         f"slowest **{fmt_s(hi)}**" if hi is not None else "no successful runs",
         f"≤ {limit:.2f} s (timeout + 10 %)", mark(met) if clean else "❌ runs failed"]
    )

    r, med, lo, hi = stats("diagnose_ten")
    clean = med is not None and len(r["ok"]) == r["total"]
    met = clean and d_med is not None and med <= TARGET_TEN_VS_ONE * max(d_med, 0.010)
    all_met &= met
    rows.append(
        ["`diagnose --json`, ten healthy phones", f"{len(r['ok'])}/{r['total']}",
         fmt_s(med), fmt_s(lo), fmt_s(hi),
         f"÷ one phone = **{med / d_med:.1f}**" if med is not None and d_med else "no successful runs",
         f"≤ {TARGET_TEN_VS_ONE:g}× one phone (phones run concurrently)",
         mark(met) if clean else "❌ runs failed"]
    )
    slow_timeout = meta.get("slow_timeout_s", 30)
    r, med, lo, hi = stats("diagnose_slow")
    lr, l_med, l_lo, l_hi = stats("libimobiledevice_slow")
    clean = med is not None and len(r["ok"]) == r["total"]
    l_clean = l_med is not None and len(lr["ok"]) == lr["total"]
    ratio = hi / l_med if clean and l_clean and l_med else None
    met = clean and hi <= slow_timeout and ratio is not None and ratio <= TARGET_SLOW_VS_LIBIMOBILEDEVICE
    all_met &= met
    rows.append(
        ["libimobiledevice sequence, every answer 2 s late", f"{len(lr['ok'])}/{lr['total']}",
         fmt_s(l_med), fmt_s(l_lo), fmt_s(l_hi), "", "", "" if l_clean else "❌ runs failed"]
    )
    rows.append(
        [f"`diagnose --timeout {slow_timeout:g}`, every answer 2 s late", f"{len(r['ok'])}/{r['total']}",
         fmt_s(med), fmt_s(lo), fmt_s(hi),
         (f"slowest **{fmt_s(hi)}**, warnings only; ÷ libimobiledevice = **{ratio:.2f}**"
          if ratio is not None else
          f"slowest **{fmt_s(hi)}**, warnings only" if hi is not None else "no successful runs"),
         f"inside --timeout, not blocked, ≤ {TARGET_SLOW_VS_LIBIMOBILEDEVICE:g}× libimobiledevice",
         mark(met) if clean and l_clean else "❌ runs failed"]
    )

    rss = meta["rss_kb"]
    rss_mb = rss["diagnose"] * 1024 / 1e6
    met = 0 < rss_mb < TARGET_RSS_MB
    all_met &= met
    rows.append(
        ["peak RSS of `diagnose` (max of 3 runs)", "", "", "", "",
         f"**{fmt_mb(rss['diagnose'])}** (hung daemon: {fmt_mb(rss['diagnose_hung'])}; "
         f"`ideviceinfo` {fmt_mb(rss['ideviceinfo'])}, pymobiledevice3 `lockdown info` "
         f"{fmt_mb(rss['pmd3_lockdown_info'])})",
         f"< {TARGET_RSS_MB:g} MB", mark(met)]
    )
    size = meta["binary_bytes"]
    rows.append(
        ["release binary size", "", "", "", "",
         f"**{size / 1e6:.1f} MB** ({size} bytes)", "reported", ""]
    )

    head = ["measurement", "runs ok", "median", "min", "max", "figure", "target", "result"]
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    v = meta["versions"]
    out += [
        "",
        f"Machine: {meta['cpu']}, {meta['cores']} cores, {meta['kernel']} ({meta['os']}); "
        f"load average {meta['load_before']} before the timed runs, {meta['load_after']} after.",
        f"Versions: {v['iphone-backup-check']} (git {v['git']}), {v['rustc']}; "
        f"libimobiledevice-utils {v['libimobiledevice-utils']}; pymobiledevice3 {v['pymobiledevice3']} "
        f"on Python {v['python']}. {meta['runs']} runs each, interleaved; times are wall-clock "
        f"per run (per whole sequence for the two tools).",
    ]
    if diag_path:
        found = probe_durations(diag_path)
        if found:
            parts, device_facts = found
            out.append(
                "Inside the last `diagnose` run (probe durations from its snapshot): "
                + "; ".join(parts) + "."
            )
            if not device_facts:
                out.append(
                    "**Note:** this `diagnose` read no lockdown values (the device probes did not "
                    "run or did not succeed), so it did less work than the two sequences."
                )
    if failures:
        out += ["", "Failed runs (not timed as fast):", ""] + [f"- {f}" for f in failures]
    out += ["", "All targets met." if all_met else "**At least one target missed or a run failed.**"]
    print("\n".join(out))
    return 0 if all_met else 1


def main(argv):
    if len(argv) >= 4 and argv[0] == "check-diagnose":
        print(check_diagnose(argv[1], int(argv[2]), argv[3]))
        return 0
    if len(argv) >= 3 and argv[0] == "check-hung":
        print(check_hung(argv[1], int(argv[2])))
        return 0
    if len(argv) >= 3 and argv[0] == "check-slow":
        print(check_slow(argv[1], int(argv[2])))
        return 0
    if len(argv) >= 4 and argv[0] == "check-ten":
        print(check_ten(argv[1], int(argv[2]), int(argv[3])))
        return 0
    if len(argv) >= 3 and argv[0] == "report":
        return report(argv[1], argv[2], argv[3] if len(argv) > 3 else None)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
