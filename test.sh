#!/usr/bin/env bash
# Runs every test of ClipGuard.Stream. Installs (apt-get) what the tests need on a fresh Debian 12.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
bash "$root/scripts/install-deps.sh" test
log="$(mktemp)"
set +e
dotnet test "$root/ClipGuard.Stream.sln" -c Release --nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One plain closing line over all test projects: "N passed, N failed, N skipped".
awk '/(Passed|Failed)! *- *Failed:/ { gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$rc"
