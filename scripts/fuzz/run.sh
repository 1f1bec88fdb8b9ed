#!/usr/bin/env bash
# Coverage-guided fuzzing of ClipGuard.Stream's parsers with SharpFuzz and AFL++ (Debian's afl++ package).
# Usage: scripts/fuzz/run.sh OUTPUT_DIR SECONDS [TARGET...]    (no TARGET: every target, one after another)
# Publishes tests/ClipGuard.Stream.Fuzzing, instruments our assemblies and the third-party parsers we call
# (Parquet.Net, TorchSharp.PyBridge's unpickler) with `dotnet sharpfuzz`, runs afl-fuzz on each target for SECONDS
# starting from tests/ClipGuard.Stream.Fuzzing/corpus/TARGET, and prints one line per target from AFL++'s
# fuzzer_stats (executions, paths, crashes, hangs). Crashing and hanging inputs stay under OUTPUT_DIR/TARGET;
# replay one with `dotnet OUTPUT_DIR/replay/ClipGuard.Stream.Fuzzing.dll replay TARGET FILE` (the uninstrumented
# copy: instrumented code writes to AFL's shared memory and faults outside afl-fuzz), fix the parser and commit
# the input under tests/ClipGuard.Stream.Fuzzing/regressions/TARGET (./test.sh replays that folder).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[[ $# -ge 2 ]] || { echo "usage: $0 OUTPUT_DIR SECONDS [TARGET...]" >&2; exit 2; }
out="$(realpath -m "$1")"; seconds="$2"; shift 2
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
if ! command -v afl-fuzz >/dev/null; then
  echo "afl-fuzz not found: installing Debian's afl++" >&2
  apt-get install -y -qq afl++ >/dev/null || { echo "could not install afl++ (run apt-get update first?)" >&2; exit 3; }
fi
cd "$root"
dotnet tool restore >/dev/null
mkdir -p "$out"
bin="$out/bin"
rm -rf "$bin"
dotnet publish tests/ClipGuard.Stream.Fuzzing -c Release -o "$bin" >"$out/publish.log" 2>&1 || { cat "$out/publish.log" >&2; exit 1; }
rm -rf "$out/replay" && cp -r "$bin" "$out/replay"
for dll in ClipGuard.Stream.Core ClipGuard.Stream.Kafka ClipGuard.Stream.Index ClipGuard.Stream.Offline ClipGuard.Stream.Embedding Parquet TorchSharp.PyBridge Razorvine.Pickle; do
  if [[ -f "$bin/$dll.dll" ]]; then dotnet sharpfuzz "$bin/$dll.dll" >/dev/null; fi
done
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  mapfile -t targets < <(dotnet "$bin/ClipGuard.Stream.Fuzzing.dll" list | awk '{print $1}')
fi
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
printf '%-14s %8s %12s %10s %8s %8s %8s\n' target seconds executions exec/s paths crashes hangs
for t in "${targets[@]}"; do
  rm -rf "${out:?}/$t"
  afl-fuzz -V "$seconds" -t 10000 -m none -i "tests/ClipGuard.Stream.Fuzzing/corpus/$t" -o "$out/$t" \
    -- dotnet "$bin/ClipGuard.Stream.Fuzzing.dll" fuzz "$t" >"$out/$t.log" 2>&1 || { echo "$t: afl-fuzz failed, see $out/$t.log" >&2; tail -20 "$out/$t.log" >&2; continue; }
  stats="$out/$t/default/fuzzer_stats"
  get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  printf '%-14s %8s %12s %10s %8s %8s %8s\n' "$t" "$(get run_time)" "$(get execs_done)" "$(get execs_per_sec)" \
    "$(get corpus_count)" "$(get saved_crashes)" "$(get saved_hangs)"
done
