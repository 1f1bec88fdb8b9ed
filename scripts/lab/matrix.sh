#!/usr/bin/env bash
# The decision across attacks (docs/detection-results.md, "BadNets, Blend and SIG at 1 %"): for each trigger and
# seed, lab scenes with POISONS poisons (copied captions, target sneaker, one poison site), a small CLIP trained
# 3 epochs (text width 64, all cores, the recipe that learned BadNets from 300 copies), its attack success rate,
# every pair embedded, the paper's batch protocol; then per trigger the stream's decision replayed over the seeds
# (service defaults: conformal rule, DAO); after all triggers, the same streams without their poisons (the budget)
# and k-dist.
# Steps already done are skipped.
#   scripts/lab/matrix.sh OUT SCENES POISONS "TRIGGERS" "SEEDS"
#   e.g. scripts/lab/matrix.sh runs/matrix 30000 300 "badnets blend sig" "1 2 3"
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 OUT SCENES POISONS \"TRIGGERS\" \"SEEDS\"" >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# CLIPGUARD names another CLI launcher: a copy of a built CLI keeps a long run safe from rebuilds of the tree meanwhile.
cg="${CLIPGUARD:-$root/clipguard}"
out=$1; scenes=$2; poisons=$3; triggers=$4; seeds=$5
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
step() { echo "== $(date -u +%H:%M:%S) $*"; }
for t in $triggers; do
  embs=(); labels=()
  for s in $seeds; do
    d="$out/$t-s$s"
    mkdir -p "$d"
    [ -f "$d/scenes/scenes.json" ] || { step "$t seed $s: scenes"; "$cg" lab scenes --out "$d/scenes" --scenes "$scenes" --poisons "$poisons" --trigger "$t" --target sneaker --seed "$s" > "$d/scenes.log" 2>&1; }
    [ -f "$d/train/train.json" ] || { step "$t seed $s: train"; "$cg" train --input "$d/scenes" --out "$d/train" --labels "$d/scenes/labels.csv" --epochs 3 --text-width 64 --seed "$s" --threads 0 > "$d/train.log" 2>&1; }
    [ -f "$d/asr.json" ] || { step "$t seed $s: asr"; "$cg" lab asr --model "$d/train/model" --scenes "$d/scenes" --out "$d/asr.json" > "$d/asr.log" 2>&1; }
    [ -f "$d/emb/embed_manifest.json" ] || { step "$t seed $s: embed"; "$cg" embed --model "$d/train/model" --input "$d/scenes" --out "$d/emb" --threads 0 > "$d/embed.log" 2>&1; }
    [ -f "$d/protocol.md" ] || { step "$t seed $s: protocol"; "$cg" lab protocol --embeddings "$d/emb" --labels "$d/scenes/labels.csv" --out "$d/protocol.md" > "$d/protocol.log" 2>&1; }
    echo "$t seed $s: $(grep -o 'poisoned [0-9.]* vs clean [0-9.]*' "$d/train.log" | tail -1); $(tail -1 "$d/asr.log")"
    embs+=("$d/emb"); labels+=("$d/scenes/labels.csv")
  done
  # The default operating point first (the service's detector); the rest after every trigger has its default row.
  [ -f "$out/$t-replay-dao.md" ] || { step "$t: replay dao"; "$cg" lab replay --embeddings "${embs[@]}" --labels "${labels[@]}" --detector dao --out "$out/$t-replay-dao.md" > "$out/$t-replay-dao.log" 2>&1; }
  step "$t done"
done
for t in $triggers; do
  embs=(); labels=()
  for s in $seeds; do embs+=("$out/$t-s$s/emb"); labels+=("$out/$t-s$s/scenes/labels.csv"); done
  [ -f "$out/$t-clean-dao.md" ] || { step "$t: clean replay dao"; "$cg" lab replay --embeddings "${embs[@]}" --labels "${labels[@]}" --detector dao --clean-only --out "$out/$t-clean-dao.md" > "$out/$t-clean-dao.log" 2>&1; }
  [ -f "$out/$t-replay-kdist.md" ] || { step "$t: replay kdist"; "$cg" lab replay --embeddings "${embs[@]}" --labels "${labels[@]}" --detector kdist --out "$out/$t-replay-kdist.md" > "$out/$t-replay-kdist.log" 2>&1; }
done
