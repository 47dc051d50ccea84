#!/usr/bin/env bash
# Size report of the nRF52840 DK firmware (flash, static RAM, stack, what
# costs what) against the limits of issue 15, for the preset builds:
#   cmake --preset nrf52840dk-qspi && cmake --build --preset nrf52840dk-qspi
#   bench/size/fw_sizes.sh [--check [--stage0-ceiling N]] [BUILD_DIR...]
#   (default build-nrf52840dk build-nrf52840dk-qspi)
# Prints the tables; --check (CI) exits 1 when an image is over a limit
# (docs/nrf52840.md section 6).
set -euo pipefail
exec python3 "$(dirname "$0")/fw_sizes.py" "$@"
