#!/usr/bin/env bash
# Mutation testing of ClipGuard.Stream.Core's Scoring/ and Reference/ with Stryker.NET (dotnet-stryker, pinned in
# dotnet-tools.json). Usage: scripts/mutation/run.sh [OUTPUT_DIR] [extra stryker args, e.g. --concurrency 2]
# Writes Stryker's html, json and markdown reports to OUTPUT_DIR (default: artifacts/mutation). Takes tens of minutes
# on two cores; it is a measurement, not part of ./test.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$(realpath -m "${1:-$root/artifacts/mutation}")"
shift || true
export StrykerVsTest=true DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
cd "$root"
dotnet tool restore >/dev/null
cd "$root/tests/ClipGuard.Stream.Core.Tests"
dotnet stryker --config-file stryker-config.json --output "$out" "$@"
