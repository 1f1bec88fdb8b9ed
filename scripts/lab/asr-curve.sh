#!/usr/bin/env bash
# ASR against the poison count and the epoch (docs/detection-results.md): for each count P, lab scenes with P poisons
# (target sneaker, copied captions, seed 1; TRIGGER=badnets|blend|sig|wanet, default badnets: an 8x8 checkerboard),
# a small CLIP trained EPOCHS epochs (default 3; text width 64, all cores) keeping every epoch's model, and the attack
# success rate of each epoch's model. Steps already done are skipped.
# Usage: [TRIGGER=blend] [EPOCHS=3] [CLIPGUARD=path/to/clipguard] scripts/lab/asr-curve.sh OUT SCENES P...
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: [TRIGGER=badnets|blend|sig|wanet] [EPOCHS=3] $0 OUT SCENES POISONS..." >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cg="${CLIPGUARD:-$root/clipguard}"
out=$1; scenes=$2; shift 2
trigger="${TRIGGER:-badnets}"; epochs="${EPOCHS:-3}"
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
for p in "$@"; do
  d="$out/$trigger-s$scenes-p$p"
  mkdir -p "$d"
  [ -f "$d/scenes/scenes.json" ] || "$cg" lab scenes --out "$d/scenes" --scenes "$scenes" --poisons "$p" --target sneaker --trigger "$trigger" --seed 1 > "$d/scenes.log" 2>&1
  [ -f "$d/train/train.json" ] || "$cg" train --input "$d/scenes" --out "$d/train" --labels "$d/scenes/labels.csv" --epochs "$epochs" --text-width 64 --threads 0 --keep-epochs > "$d/train.log" 2>&1
  for e in $(seq 1 "$epochs"); do
    m="$d/train/epochs/$(printf 'epoch-%04d' "$e")"
    [ -f "$d/asr-$e.json" ] || "$cg" lab asr --model "$m" --scenes "$d/scenes" --out "$d/asr-$e.json" > "$d/asr-$e.log" 2>&1
    echo "$trigger, $scenes scenes, $p poisons, epoch $e: $(tail -1 "$d/asr-$e.log")"
  done
  echo "$trigger, $scenes scenes, $p poisons: $(grep -o 'poisoned [0-9.]* vs clean [0-9.]*' "$d/train.log" | tail -1)"
done
