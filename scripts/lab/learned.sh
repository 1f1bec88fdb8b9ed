#!/usr/bin/env bash
# A BadNets backdoor learned at 0.1 % within 15 CPU minutes, and what the stream's decision does with it
# (docs/detection-results.md, "A backdoor learned at 0.1 %"). Per seed S: 100,000 lab scenes with 100 poisons (a 16-px
# checkerboard, bottom-right, copied captions), a small CLIP trained ten epochs on 32-px inputs (scripts/lab/v2.sh:
# ASR of every epoch, embeddings, the paper's batch protocol); then, over the three seeds together, the paper's
# protocol and replays through the stream's scorer (16,384 trusted seed pairs, every one kept as calibration) at the
# default rule, with campaigns, with the confident cut, at a 0.1 per-mille budget, and on the streams without poisons.
#   scripts/lab/learned.sh OUT [SEEDS...]      (default seeds 1 2 3; about 15 minutes of training per seed)
set -euo pipefail
out=${1:?usage: scripts/lab/learned.sh OUT [SEEDS...]}; shift
if [ $# -gt 0 ]; then seeds=("$@"); else seeds=(1 2 3); fi
root="$(cd "$(dirname "$0")/../.." && pwd)"
cg="${CLIPGUARD:-$root/clipguard}"
export CLIPGUARD="$cg" THREADS="${THREADS:-0}"
export SCENE_ARGS="--patch-size 16" TRAIN_ARGS="--image-size 32 --patch 8 --text-width 64 --keep-epochs"
emb=(); labels=()
for s in "${seeds[@]}"; do
  "$root/scripts/lab/v2.sh" "$out/s$s" 100000 100 badnets "$s" 10
  emb+=("$out/s$s/emb"); labels+=("$out/s$s/scenes/labels.csv")
done
"$cg" lab protocol --embeddings "${emb[@]}" --labels "${labels[@]}" --out "$out/protocol.md" --plots
replay() { local name=$1; shift; "$cg" lab replay --embeddings "${emb[@]}" --labels "${labels[@]}" --seed-size 16384 --calibration-pool 20000 --out "$out/replay-$name.md" "$@"; }
replay default
replay campaigns --campaigns
replay campaigns-confident --campaigns --budget-confidence 0.9
replay campaigns-0.1permille --campaigns --false-quarantine-rate 0.0001 --plot
replay campaigns-clean --campaigns --clean-only
replay campaigns-0.1permille-clean --campaigns --false-quarantine-rate 0.0001 --clean-only
