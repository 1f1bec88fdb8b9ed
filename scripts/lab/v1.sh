#!/usr/bin/env bash
# Lab v1 (retired; its summary is in docs/detection-results.md): trains the six lab runs (BadNets and Blend at r = 1%, 0.5%, 0.1%), evaluates
# each in batch and through the stream, and writes the report. CPU only; ~10 min of training and ~5 min of evaluation
# per run on the shared 2-core machine this was measured on. Usage: scripts/lab/v1.sh [RUNS_DIR]; writes RUNS_DIR/detection-results-v1.md
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-$root/.cache/lab}"
mkdir -p "$runs"
# Seed reference of the streaming runs: about 5 poisoned images at every rate, well under every k (docs/detection.md).
declare -A reference=([0.01]=500 [0.005]=1000 [0.001]=5000)
for rate in 0.01 0.005 0.001; do
  for trigger in badnets blend; do
    "$root/clipguard" lab train --out "$runs/$trigger-$rate" --trigger "$trigger" --rate "$rate" --epochs 3
    "$root/clipguard" lab eval --run "$runs/$trigger-$rate" --stream-size 20000 --stream-reference "${reference[$rate]}"
  done
done
"$root/clipguard" lab report --preamble "$root/scripts/lab/v1-preamble.md" --out "$runs/detection-results-v1.md" \
  --runs "$runs"/badnets-0.01 "$runs"/blend-0.01 "$runs"/badnets-0.005 "$runs"/blend-0.005 "$runs"/badnets-0.001 "$runs"/blend-0.001
