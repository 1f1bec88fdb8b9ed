#!/usr/bin/env bash
# What each signal sees while a backdoor is learned: for every epoch checkpoint a training kept (train --keep-epochs),
# the ASR (`lab asr`), the training set embedded by that epoch's model (`embed`) and the paper's batch protocol on it
# (`lab protocol`), then one table and one plot of all of them against the epoch (`lab epochs`). Steps already done
# are skipped. Usage:
#   [CLIPGUARD=path/to/clipguard] scripts/lab/epochs.sh TRAIN_DIR SCENES_DIR TRACK_DIR
# TRAIN_DIR is `clipguard train --out` (train.json, epochs/epoch-NNNN), SCENES_DIR the scenes it was trained on
# (`lab scenes --out`, with labels.csv); TRACK_DIR receives epoch-NNNN/{asr.json,emb,protocol.md,protocol.json} and
# epochs.md, epochs.json and epochs.png.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 TRAIN_DIR SCENES_DIR TRACK_DIR" >&2; exit 2; }
train=$1; scenes=$2; track=$3
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cg="${CLIPGUARD:-$root/clipguard}"
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
[ -d "$train/epochs" ] || { echo "$train/epochs: no epoch checkpoints (train with --keep-epochs)" >&2; exit 2; }
mkdir -p "$track"
for model in "$train"/epochs/epoch-*; do
  e=$(basename "$model"); out="$track/$e"; mkdir -p "$out"
  echo "== $(date -u +%H:%M:%S) $e" >&2
  [ -f "$out/asr.json" ] || "$cg" lab asr --model "$model" --scenes "$scenes" --out "$out/asr.json" > "$out/asr.log"
  [ -f "$out/emb/embed_manifest.json" ] || "$cg" embed --model "$model" --input "$scenes" --out "$out/emb" --threads 0 > "$out/embed.log" 2>&1
  [ -f "$out/protocol.json" ] || "$cg" lab protocol --embeddings "$out/emb" --labels "$scenes/labels.csv" --out "$out/protocol.md" > "$out/protocol.log" 2>&1
done
"$cg" lab epochs --train "$train" --track "$track" --out "$track/epochs.md"
