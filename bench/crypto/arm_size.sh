#!/usr/bin/env bash
# Code size of each crypto primitive on Cortex-M4, as the firmware builds it:
# arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -ffunction-sections.
#   1. per source file: text (code + const tables) from arm-none-eabi-size;
#   2. per use: what the linker keeps (--gc-sections) for the calls a boot
#      stage makes, memcpy/memset/memcmp from newlib-nano included;
#   3. the largest stack frames (-fstack-usage).
# Usage: bench/crypto/arm_size.sh [--help]. Needs gcc-arm-none-eabi.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
src=$root/core/crypto
cc=arm-none-eabi-gcc
command -v "$cc" >/dev/null || { echo "arm_size.sh: $cc not found" >&2; exit 1; }
flags=(-mcpu=cortex-m4 -mthumb -Os -ffunction-sections -fdata-sections -ffreestanding
       -std=c11 -Wall -Wextra -Werror -I"$root/core/include" -I"$src")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

printf '| file | text (B) | data+bss (B) |\n|---|---:|---:|\n'
for f in "$src"/*.c; do
  name=$(basename "$f" .c)
  "$cc" "${flags[@]}" -fstack-usage -c "$f" -o "$out/$name.o"
  arm-none-eabi-size "$out/$name.o" | awk -v n="$name.c" 'NR==2 {printf "| %s | %d | %d |\n", n, $1, $2+$3}'
done

# Link the closure of a set of entry points; print its text size.
closure() { # label symbols...
  local label=$1; shift
  local args=()
  for s in "$@"; do args+=(-Wl,--undefined="$s"); done
  "$cc" -mcpu=cortex-m4 -mthumb -Os -nostartfiles --specs=nano.specs -Wl,--gc-sections \
    -Wl,-e,"$1" "${args[@]}" "$out"/*.o \
    -o "$out/closure.elf"
  arm-none-eabi-size "$out/closure.elf" | awk -v l="$label" 'NR==2 {printf "| %s | %d |\n", l, $1}'
}
printf '\n| linked for | text (B) |\n|---|---:|\n'
closure "SHA-256 only" lf_sha256_init lf_sha256_update lf_sha256_final
closure "ECDSA P-256 verify + DER signature" lf_p256_verify lf_p256_sig_from_der
closure "stage 0 set: P-256 verify + DER + SHA-256" lf_p256_verify lf_p256_sig_from_der \
  lf_sha256_init lf_sha256_update lf_sha256_final
closure "P-256 set + SPKI key parsing" lf_p256_verify lf_p256_sig_from_der lf_sha256_init \
  lf_sha256_update lf_sha256_final lf_p256_pubkey_from_spki
closure "Ed25519 verify (with SHA-512)" lf_ed25519_verify
closure "everything" lf_p256_verify lf_p256_sig_from_der lf_p256_pubkey_from_spki \
  lf_ed25519_verify lf_ed25519_pubkey_from_spki lf_sha256_init lf_sha256_update lf_sha256_final \
  lf_sha256 lf_sha512

printf '\n| largest stack frames | bytes |\n|---|---:|\n'
cat "$out"/*.su | sort -t$'\t' -k2 -n -r | head -8 | awk -F'\t' '{split($1, a, ":"); printf "| %s | %s |\n", a[4], $2}'
