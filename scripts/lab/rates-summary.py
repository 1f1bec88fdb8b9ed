#!/usr/bin/env python3
"""Mean +- sd over seeds of scripts/lab/rates.sh runs: one row per trigger, rate and mode (service or scorer).

Usage: scripts/lab/rates-summary.py RUN_DIR... (each RUN_DIR is one rates.sh OUT; the trigger is read from its name,
rates-TRIGGER-sS). Prints a Markdown table: precision, recall, false-quarantine rate (per mille), quarantined
poison / clean per seed, campaign members at arrival, the most poisons the reference held (scorer replay only).
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


def main(dirs):
    rows = defaultdict(list)
    for d in map(Path, dirs):
        m = re.match(r"rates-(\w+)-s(\d+)$", d.name)
        trigger = m.group(1) if m else d.name
        for f in sorted(d.glob("rate-*-*.json")):
            rate, mode = re.match(r"rate-(\d+)-(service|scorer)\.json$", f.name).groups()
            run = json.loads(f.read_text())[0]
            r = run.get("Routes", run)
            rows[(trigger, rate, mode)].append((d.name, r))
    print("| trigger | rate | mode | seeds | precision | recall | clean quarantined ‰ | per seed: poisons / clean quarantined | campaign members at arrival (poison / clean) | max poisons in reference |")
    print("|---|---|---|---:|---:|---:|---:|---|---|---:|")
    order = {k: i for i, k in enumerate(RATES)}
    for (trigger, rate, mode), runs in sorted(rows.items(), key=lambda kv: (kv[0][0], order[kv[0][1]], kv[0][2])):
        rs = [r for _, r in runs]
        clean = rate == "0"
        print("| " + " | ".join([
            trigger, RATES[rate], mode, str(len(rs)),
            "—" if clean else fmt([r["Precision"] for r in rs]),
            "—" if clean else fmt([r["Recall"] for r in rs]),
            fmt([1000 * r["FalseQuarantineRate"] for r in rs], 3),
            ", ".join(f'{r["TruePositives"]} / {r["FalsePositives"]}' for r in rs),
            ", ".join(f'{r["CampaignPoisons"]} / {r["CampaignClean"]}' for r in rs),
            "—" if mode == "service" else str(max(r["MaxPoisonsInReference"] for r in rs)),
        ]) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
