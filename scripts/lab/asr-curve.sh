#!/usr/bin/env bash
# ASR against the poison count (docs/detection-results.md): for each count P, lab scenes with P poisons (BadNets 8x8
# checkerboard, target sneaker, copied captions, seed 1), a small CLIP trained 3 epochs (text width 64, all cores),
# and the attack success rate. Steps already done are skipped. Usage: scripts/lab/asr-curve.sh OUT SCENES P...
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 OUT SCENES POISONS..." >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cg="$root/clipguard"
out=$1; scenes=$2; shift 2
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
for p in "$@"; do
  d="$out/s$scenes-p$p"
  mkdir -p "$d"
  [ -f "$d/scenes/scenes.json" ] || "$cg" lab scenes --out "$d/scenes" --scenes "$scenes" --poisons "$p" --target sneaker --seed 1 > "$d/scenes.log" 2>&1
  [ -f "$d/train/train.json" ] || "$cg" train --input "$d/scenes" --out "$d/train" --labels "$d/scenes/labels.csv" --epochs 3 --text-width 64 --threads 0 > "$d/train.log" 2>&1
  "$cg" lab asr --model "$d/train/model" --scenes "$d/scenes" --out "$d/asr.json" > "$d/asr.log" 2>&1
  echo "$scenes scenes, $p poisons: $(grep -o 'poisoned [0-9.]* vs clean [0-9.]*' "$d/train.log" | tail -1); $(tail -1 "$d/asr.log")"
done
