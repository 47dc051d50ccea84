#!/usr/bin/env bash
# The README's main command: install what is missing, build the tools, and run
# the end-to-end update scenario on a virtual device (lfsim demo, docs/lfsim.md).
#   scripts/demo.sh [DIR] [--board B]     DIR defaults to ./demo-device
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="demo-device"
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then dir="$1"; shift; fi
"$root/scripts/deps.sh"
cmake -S "$root" -B "$root/build-demo" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build-demo" -j"$(nproc)" --target lfsim >/dev/null
exec "$root/build-demo/bin/lfsim" demo --dir "$dir" --board nrf52840dk-qspi "$@"
