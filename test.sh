#!/usr/bin/env bash
# Runs every test of ClipGuard.Stream. Installs (apt-get) what the tests need on a fresh Debian 12.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
bash "$root/scripts/install-deps.sh" test
log="$(mktemp)"
set +e
dotnet test --solution "$root/ClipGuard.Stream.sln" -c Release "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One plain closing line from the Testing Platform's run summary: "N passed, N failed, N skipped".
awk '/^ *succeeded: *[0-9]+/ { p = $2 } /^ *failed: *[0-9]+/ { f = $2 } /^ *skipped: *[0-9]+/ { s = $2 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$rc"
