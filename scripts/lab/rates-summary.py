#!/usr/bin/env python3
"""Mean +- sd over seeds of scripts/lab/rates.sh runs: one row per trigger, rate and mode (service or scorer).

Usage: scripts/lab/rates-summary.py [--prefix P] RUN_DIR... (each RUN_DIR is one rates.sh OUT; the trigger is read
from its name, rates-TRIGGER-sS or rates-TRIGGER-tS, S the seed). The runs are RUN_DIR/rate-BP-MODE.json, BP poisons per 10,000; with --prefix P,
RUN_DIR/P-N-MODE.json for any other replays named by their poison count N (the rate is then read from the run).
Prints a Markdown table: precision, recall, false-quarantine rate (per mille), quarantined poison / clean per seed,
campaign members at arrival, the most poisons the reference held (scorer replay only).
"""
import json
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

RATES = {"5": "0.05 %", "10": "0.1 %", "50": "0.5 %", "100": "1 %", "0": "clean stream"}


def fmt(values, digits=3):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def label(prefix, key, r):
    if key == "0":
        return "clean stream"
    if prefix == "rate":
        return RATES[key]
    return f'{100 * r["Poisons"] / (r["Poisons"] + r["Clean"]):.3g} % ({r["Poisons"]} in {r["Poisons"] + r["Clean"]:,})'


def main(dirs, prefix="rate"):
    rows = defaultdict(list)
    for d in map(Path, dirs):
        m = re.match(r"rates-([a-z]+)-[a-z]+(\d+)$", d.name)
        trigger = m.group(1) if m else d.name
        for f in sorted(d.glob(f"{prefix}-*-*.json")):
            key, mode = re.match(rf"{re.escape(prefix)}-(\d+)-(service|scorer)\.json$", f.name).groups()
            run = json.loads(f.read_text())[0]
            r = run.get("Routes", run)
            rows[(trigger, key, mode)].append((d.name, r))
    print("| trigger | rate | mode | seeds | precision | recall | clean quarantined ‰ | per seed: poisons / clean quarantined | campaign members at arrival (poison / clean) | max poisons in reference |")
    print("|---|---|---|---:|---:|---:|---:|---|---|---:|")
    def order(key):
        return int(key) if key != "0" else 10**9   # the clean stream last

    for (trigger, key, mode), runs in sorted(rows.items(), key=lambda kv: (kv[0][0], order(kv[0][1]), kv[0][2])):
        rs = [r for _, r in runs]
        clean = key == "0"
        print("| " + " | ".join([
            trigger, label(prefix, key, rs[0]), mode, str(len(rs)),
            "—" if clean else fmt([r["Precision"] for r in rs]),
            "—" if clean else fmt([r["Recall"] for r in rs]),
            fmt([1000 * r["FalseQuarantineRate"] for r in rs], 3),
            ", ".join(f'{r["TruePositives"]} / {r["FalsePositives"]}' for r in rs),
            ", ".join(f'{r["CampaignPoisons"]} / {r["CampaignClean"]}' for r in rs),
            "—" if mode == "service" else str(max(r["MaxPoisonsInReference"] for r in rs)),
        ]) + " |")


if __name__ == "__main__":
    args = sys.argv[1:]
    prefix = "rate"
    if args[:1] == ["--prefix"] and len(args) >= 2:
        prefix, args = args[1], args[2:]
    if not args:
        sys.exit(__doc__)
    main(args, prefix)
