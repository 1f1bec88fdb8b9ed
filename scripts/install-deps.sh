#!/usr/bin/env bash
# Installs the Debian packages a ClipGuard command needs, once. Usage: install-deps.sh run|test|bench
set -euo pipefail
profile="${1:-run}"
# The FAISS shim (native/faiss_shim, built by scripts/build-native.sh) needs FAISS, a C++ toolchain and CMake at build
# time; OpenBLAS makes FAISS's flat and IVF search about 30x faster than Debian's reference BLAS.
# libgomp1: the OpenMP runtime that USearch's libusearch_c.so (from the Cloud.Unum.USearch package) links against.
native=(libfaiss-dev cmake g++ libopenblas0-pthread libgomp1)
pkgs=()
case "$profile" in
  run)   pkgs=(redis-server dataset-fashion-mnist "${native[@]}") ;;  # redis + Fashion-MNIST: `clipguard demo`
  test)  pkgs=(python3-numpy python3-sklearn redis-server prometheus chromium dataset-fashion-mnist "${native[@]}") ;;
  bench) pkgs=(python3-numpy python3-sklearn "${native[@]}") ;;
  *) echo "install-deps: unknown profile '$profile'" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
sudo_cmd=()
[[ "$(id -u)" -ne 0 ]] && sudo_cmd=(sudo)
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >&2
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
