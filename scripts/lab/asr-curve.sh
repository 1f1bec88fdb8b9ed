#!/usr/bin/env bash
# ASR against the poison count and the epoch (docs/detection-results.md): for each count P, lab scenes with P poisons
# (target sneaker, copied captions, scene seed 1; TRIGGER=badnets|blend|sig|wanet, default badnets: an 8x8 checkerboard),
# a small CLIP trained EPOCHS epochs (default 3; text width 64, all cores) keeping every epoch's model, and the attack
# success rate of the models of the epochs in ASR_EPOCHS (default: every epoch). Steps already done are skipped.
# SCENE_ARGS and TRAIN_ARGS add flags to `lab scenes` and `train`. The 32-px recipe of the rates runs:
#   TRIGGER=badnets SCENE_ARGS="--patch-size 16" EPOCHS=10 TRAIN_ARGS="--image-size 32 --patch 8 --seed 1" \
#     scripts/lab/asr-curve.sh OUT 100000 25 50 200 500
# Usage: [TRIGGER=blend] [EPOCHS=3] [ASR_EPOCHS="1 3"] [CLIPGUARD=path/to/clipguard] scripts/lab/asr-curve.sh OUT SCENES P...
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
  # shellcheck disable=SC2086
  [ -f "$d/scenes/scenes.json" ] || "$cg" lab scenes --out "$d/scenes" --scenes "$scenes" --poisons "$p" --target sneaker --trigger "$trigger" --seed 1 ${SCENE_ARGS:-} > "$d/scenes.log" 2>&1
  # shellcheck disable=SC2086
  [ -f "$d/train/train.json" ] || "$cg" train --input "$d/scenes" --out "$d/train" --labels "$d/scenes/labels.csv" --epochs "$epochs" --text-width 64 --threads 0 --keep-epochs ${TRAIN_ARGS:-} > "$d/train.log" 2>&1
  for e in ${ASR_EPOCHS:-$(seq 1 "$epochs")}; do
    m="$d/train/epochs/$(printf 'epoch-%04d' "$e")"
    [ -f "$d/asr-$e.json" ] || "$cg" lab asr --model "$m" --scenes "$d/scenes" --out "$d/asr-$e.json" > "$d/asr-$e.log" 2>&1
    echo "$trigger, $scenes scenes, $p poisons, epoch $e: $(tail -1 "$d/asr-$e.log")"
  done
  echo "$trigger, $scenes scenes, $p poisons: $(grep -o 'poisoned [0-9.]* vs clean [0-9.]*' "$d/train.log" | tail -1)"
done
