#!/usr/bin/env bash
# The offline decision on the runs of scripts/lab/matrix.sh (docs/offline.md): `clipguard clean` with its default rule
# (fused p-value <= 0.001) per run, detector and calibration: a random draw of the dataset (the default) or a folder
# of TRUSTED clean scenes (no poisons, seed 101) embedded with the run's own model. Prints one row per clean:
# removed, poisons caught, precision, recall, clean samples removed per mille. Steps already done are skipped.
#   scripts/lab/clean-matrix.sh OUT RUN...     e.g. scripts/lab/clean-matrix.sh runs/matrix runs/matrix/badnets-s1
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OUT RUN..." >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cg="${CLIPGUARD:-$root/clipguard}"
out=$1; shift
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
mkdir -p "$out"
[ -f "$out/trusted-scenes/scenes.json" ] || "$cg" lab scenes --out "$out/trusted-scenes" --scenes 4096 --poisons 0 --seed 101 > "$out/trusted-scenes.log" 2>&1
echo "| run | calibration | detector | removed | poisons caught | precision | recall | clean removed (‰) |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
for run in "$@"; do
  name=$(basename "$run")
  [ -f "$out/$name-trusted/embed_manifest.json" ] || "$cg" embed --model "$run/train/model" --input "$out/trusted-scenes" --out "$out/$name-trusted" > "$out/$name-trusted.log" 2>&1
  for calibration in draw trusted; do
    for det in kdist dao; do
      c="$out/$name-clean-$calibration-$det"
      ref=(); [ "$calibration" = trusted ] && ref=(--reference "$out/$name-trusted")
      [ -f "$c/remove.txt" ] || "$cg" clean --embeddings "$run/emb" --out "$c" --detector "$det" "${ref[@]}" > "$c.log" 2>&1
      awk -F, -v run="$name" -v cal="$calibration" -v det="$det" -v removal="$c/remove.txt" '
        BEGIN { while ((getline id < removal) > 0) { removed[id] = 1; n_removed++ } }
        FNR > 1 { total++; if ($2 == 1) { poisons++; if ($1 in removed) caught++ } }
        END {
          clean_removed = n_removed - caught
          printf "| %s | %s | %s | %d | %d of %d | %.3f | %.3f | %.2f |\n", run, cal, det, n_removed, caught, poisons,
            n_removed ? caught / n_removed : 0, caught / poisons, 1000 * clean_removed / (total - poisons)
        }' "$run/scenes/labels.csv"
    done
  done
done
