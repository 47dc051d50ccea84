#!/usr/bin/env bash
# Code size of what stage 0 and stage 1 link from core/ for Cortex-M4
# (arm-none-eabi-gcc -Os, section GC, newlib's memcpy/memset/memcmp), against
# the budgets of docs/design.md section 6. Drivers, startup code and serial
# recovery are not in core/ yet (the nRF52840 port comes next), so these are
# lower bounds of the images.
#   bench/size/arm_images.sh [BUILD_ARM_DIR]     (default build-arm)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
arm="${1:-$root/build-arm}"
if [ ! -f "$arm/core/liblf_core.a" ]; then
  cmake -S "$root" -B "$arm" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/arm-none-eabi.cmake" >/dev/null
  cmake --build "$arm" -j"$(nproc)" >/dev/null
fi
flags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os -nostartfiles -Wl,--gc-sections)
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
size_of() { # name entry extra-roots...
  local name="$1" entry="$2"
  shift 2
  local roots=(-Wl,-u,"$entry")
  for r in "$@"; do roots+=(-Wl,-u,"$r"); done
  arm-none-eabi-gcc "${flags[@]}" -Wl,-e,"$entry" "${roots[@]}" -o "$out/$name.elf" \
    "$arm/core/liblf_core.a" -lc
  arm-none-eabi-size "$out/$name.elf" | awk 'NR == 2 { print $1 + $2 }'
}
s0=$(size_of stage0 lf_stage0_boot lf_image_sig_ecdsa_p256)
s1=$(size_of stage1 lf_stage1_boot lf_boot_strategy_swap_move lf_image_sig_ecdsa_p256)
echo "| image (core code only) | flash (B) | budget (B) |"
echo "|---|---:|---:|"
echo "| stage 0: selection, trials, counters, P-256 + SHA-256 validator, log | $s0 | 6144 |"
echo "| stage 1: swap-move engine, boot record, SDK-path install, self-confirm, P-256 | $s1 | 16384 (with drivers and recovery) |"
