#!/usr/bin/env bash
# Builds the native FAISS shim (native/faiss_shim) with CMake into native/build/ and prints the library's path.
# Usage: build-native.sh [output-dir]   (default: native/build under the repository root)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/native/build}"
if [[ ! -f /usr/include/faiss/c_api/Index_c.h && ! -f /usr/local/include/faiss/c_api/Index_c.h ]]; then
  echo "build-native: FAISS headers not found; install them with: scripts/install-deps.sh run (Debian package libfaiss-dev)" >&2
  exit 3
fi
for tool in cmake g++; do
  command -v "$tool" >/dev/null || { echo "build-native: '$tool' not found; run scripts/install-deps.sh run" >&2; exit 3; }
done
cmake -S "$root/native/faiss_shim" -B "$out" -DCMAKE_BUILD_TYPE=Release >&2
cmake --build "$out" --parallel >&2
echo "$out/libclipguard_faiss.so"
