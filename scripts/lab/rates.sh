#!/usr/bin/env bash
# The decision at four poisoning rates, streamed through the real service (docs/detection-results.md):
#   1. a small CLIP trained on 100,000 lab scenes with TRAIN_POISONS poisons (default 100: 0.1 %), ten epochs at 32 px;
#   2. held-out scenes (scene seed SEED+100, the model's trigger pattern) with 1,000 poisons, embedded by that model;
#   3. the held-out set replayed through the dev broker and `clipguard run` (`lab replay --through-service`) with a
#      24,000-pair trusted seed, every clean sample, and the first N poisons of the arrival order, N chosen so that the
#      poisons are 0.05, 0.1, 0.5 and 1 % of the streamed samples; then without poisons (the clean stream);
#   4. the scorer replay of the same streams (`lab replay`), which also counts the poisons the reference ever held.
# Steps already done are skipped. Usage:
#   [CLIPGUARD=path/to/clipguard] [SCENE_ARGS=...] [TRAIN_ARGS=...] [REPLAY_ARGS=...] [MODES="service scorer"] \
#     scripts/lab/rates.sh OUT TRIGGER SEED
# SEED seeds the held-out scenes and the arrival order; TRAIN_SEED (default SEED) the training scenes, the model and the
# trigger pattern, so several SEEDs can share one trained model (OUT/train-set and OUT/train linked to it).
# BadNets runs use SCENE_ARGS="--patch-size 16" (the trigger the 0.1 % recipe learns).
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 OUT badnets|blend|sig|wanet SEED" >&2; exit 2; }
out=$1; trigger=$2; seed=$3; train_seed=${TRAIN_SEED:-$3}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cg="${CLIPGUARD:-$root/clipguard}"
train_poisons=${TRAIN_POISONS:-100}
scenes=100000; held_poisons=1000; seed_size=24000
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
step() { echo "== $(date -u +%H:%M:%S) $*" >&2; }
mkdir -p "$out"

[ -f "$out/train-set/scenes.json" ] || { step "training scenes"; "$cg" lab scenes --out "$out/train-set" --scenes "$scenes" --poisons "$train_poisons" --trigger "$trigger" --seed "$train_seed" ${SCENE_ARGS:-}; }
[ -f "$out/train/train.json" ] || { step train; "$cg" train --input "$out/train-set" --out "$out/train" --labels "$out/train-set/labels.csv" --epochs 10 --image-size 32 --patch 8 --text-width 64 --seed "$train_seed" --threads 0 ${TRAIN_ARGS:-}; }
[ -f "$out/asr.json" ] || { step asr; "$cg" lab asr --model "$out/train/model" --scenes "$out/train-set" --out "$out/asr.json" > "$out/asr.log"; }
echo "ASR: $(tail -1 "$out/asr.log")" >&2
[ -f "$out/held-out/scenes.json" ] || { step "held-out scenes"; "$cg" lab scenes --out "$out/held-out" --scenes "$scenes" --poisons "$held_poisons" --trigger "$trigger" --seed "$((seed + 100))" --trigger-seed "$train_seed" ${SCENE_ARGS:-}; }
[ -f "$out/emb/embed_manifest.json" ] || { step embed; "$cg" embed --model "$out/train/model" --input "$out/held-out" --out "$out/emb" --threads 0; }

clean=$((scenes - held_poisons - seed_size))
for bp in 5 10 50 100 0; do   # poisons per 10,000 streamed samples; 0: the clean stream
  n=$(( (bp * clean + (10000 - bp) / 2) / (10000 - bp) ))
  for mode in ${MODES:-service scorer}; do
    f="$out/rate-$bp-$mode.md"
    [ -f "$f" ] && continue
    step "$mode replay: $n poisons ($bp per 10,000)"
    flags=(); [ "$mode" = service ] && flags=(--through-service --limit 0)
    [ "$mode" = scorer ] && flags=(--plot)
    "$cg" lab replay --embeddings "$out/emb" --labels "$out/held-out/labels.csv" --out "$f" --seed-size "$seed_size" \
      --seed "$seed" --poisons "$n" "${flags[@]}" ${REPLAY_ARGS:-} > "$out/rate-$bp-$mode.log" 2>&1
    tail -3 "$f" >&2
  done
done
