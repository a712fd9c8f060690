#!/bin/sh
# scripts/deps.sh: install the Debian packages sextant needs, only those
# missing. `deps.sh build` installs what building needs, `deps.sh all` adds
# what the tests and benchmarks need, `deps.sh fuzz` adds clang and
# libFuzzer for `make fuzz`. Uses sudo when not root. Does nothing
# (and needs no network) when everything is present.
set -eu

BUILD_PKGS="build-essential pkg-config libncurses-dev libsqlite3-dev libcsv-dev
libgsl-dev gnuplot-nox libsodium-dev libjansson-dev libyaml-dev"
TEST_PKGS="libcriterion-dev python3-pandas python3-sklearn python3-scipy
sqlite3 tmux valgrind"
# `make fuzz` only: clang and its libFuzzer runtime.
FUZZ_PKGS="clang libclang-rt-dev"

case "${1:-all}" in
    build) want=$BUILD_PKGS ;;
    all)   want="$BUILD_PKGS $TEST_PKGS" ;;
    fuzz)  want="$BUILD_PKGS $FUZZ_PKGS" ;;
    *)     echo "usage: $0 [build|all|fuzz]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# npm fetches the csv-spectrum test suite; any npm on PATH will do.
if [ "${1:-all}" = all ] && ! command -v npm >/dev/null 2>&1; then
    missing="$missing npm"
fi
[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y --no-install-recommends $missing; then
    $SUDO apt-get update
    $SUDO apt-get install -y --no-install-recommends $missing
fi
