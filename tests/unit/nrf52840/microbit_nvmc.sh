#!/usr/bin/env bash
# Build the NVMC driver for Cortex-M0 with microbit_nvmc.c and run it on
# QEMU's microbit machine (nRF51822, NVMC with Nordic's semantics):
#   microbit_nvmc.sh SOURCE_DIR OUT_DIR
# Exit 0 when the checks passed; the image's exit code otherwise.
set -euo pipefail
src="$1" out="$2"
here="$src/tests/unit/nrf52840"
mkdir -p "$out"
# .data and .bss are not initialised by this tiny start-up: the test uses
# neither with a non-zero initial value, and QEMU's RAM starts as zeros.
arm-none-eabi-gcc -mcpu=cortex-m0 -mthumb -Os -std=c11 -ffreestanding -ffunction-sections \
  -fdata-sections -Wall -Wextra -Werror -nostartfiles --specs=nano.specs -Wl,--gc-sections \
  -Wl,--no-warn-rwx-segments -I"$src/core/include" -I"$src/ports/nrf52840" \
  -T"$here/microbit.ld" -o "$out/microbit_nvmc.elf" \
  "$here/microbit_nvmc.c" "$src/ports/nrf52840/nrf_nvmc.c" "$src/ports/nrf52840/nrf_sys.c"
timeout 30 qemu-system-arm -M microbit -display none -monitor none -serial null \
  -semihosting-config enable=on,target=native -kernel "$out/microbit_nvmc.elf"
