#!/usr/bin/env bash
# One lab v2 run: composite scenes with planted poisons -> a small CLIP trained on them -> the poisons' alignment and
# the attack success rate -> every pair embedded -> the paper's batch protocol.
#   scripts/lab/v2.sh OUT [SCENES] [POISONS] [TRIGGER] [SEED] [EPOCHS]
# Defaults: 100,000 scenes, 100 poisons (0.1 %), badnets, seed 1, 2 epochs. CLIPGUARD=path/to/clipguard runs a built
# CLI, CAPTION_MODE=template for template poison captions, THREADS for libtorch and k-NN threads, SCENE_ARGS and
# TRAIN_ARGS for more flags of `lab scenes` and `train` (e.g. SCENE_ARGS="--patch-size 16" TRAIN_ARGS="--image-size 32
# --keep-epochs"; with --keep-epochs the ASR of every epoch's model is measured too). Scenes, ASR and embeddings are
# skipped when already there.
set -euo pipefail
out=${1:?usage: scripts/lab/v2.sh OUT [SCENES] [POISONS] [TRIGGER] [SEED] [EPOCHS]}
scenes=${2:-100000}; poisons=${3:-100}; trigger=${4:-badnets}; seed=${5:-1}; epochs=${6:-2}
threads=${THREADS:-2}
caption=${CAPTION_MODE:-copied}   # copied (Carlini & Terzis) | template ("a photo of a {target}")
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
cg="${CLIPGUARD:-$(cd "$(dirname "$0")/../.." && pwd)/clipguard}"
mkdir -p "$out"
step() { echo "== $(date -u +%H:%M:%S) $*" >&2; }

[ -f "$out/scenes/scenes.json" ] || { step scenes; "$cg" lab scenes --out "$out/scenes" --scenes "$scenes" --poisons "$poisons" --trigger "$trigger" --caption-mode "$caption" --seed "$seed" ${SCENE_ARGS:-}; }
step train; "$cg" train --input "$out/scenes" --out "$out/train" --labels "$out/scenes/labels.csv" --epochs "$epochs" --seed "$seed" --threads "$threads" ${TRAIN_ARGS:-}
if [ -d "$out/train/epochs" ]; then
  for m in "$out"/train/epochs/epoch-*; do
    e=$(basename "$m")
    [ -f "$out/asr-$e.json" ] || { step "asr $e"; "$cg" lab asr --model "$m" --scenes "$out/scenes" --out "$out/asr-$e.json" > "$out/asr-$e.log"; }
    echo "$e: $(tail -1 "$out/asr-$e.log")" >&2
  done
fi
[ -f "$out/asr.json" ] || { step asr; "$cg" lab asr --model "$out/train/model" --scenes "$out/scenes" --out "$out/asr.json"; }
[ -f "$out/emb/embed_manifest.json" ] || { step embed; "$cg" embed --model "$out/train/model" --input "$out/scenes" --out "$out/emb" --threads "$threads"; }
step protocol; "$cg" lab protocol --embeddings "$out/emb" --labels "$out/scenes/labels.csv" --out "$out/protocol.md" --threads "$threads"
