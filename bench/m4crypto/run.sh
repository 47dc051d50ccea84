#!/usr/bin/env bash
# Cortex-M4 crypto benchmark: instructions retired under QEMU (mps2-an386,
# -icount shift=0) and flash bytes per primitive, built with the firmware's
# flags (cmake/arm-none-eabi.cmake, -Os). Prints a markdown table.
#   bench/m4crypto/run.sh [--base GIT_REV] [OUT_DIR]   (default OUT_DIR build-m4crypto)
# --base REV adds columns for core/crypto as of REV (read with git archive,
# the working tree is not touched), for before/after comparisons.
# Needs gcc-arm-none-eabi, libnewlib-arm-none-eabi and qemu-system-arm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
base=""
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
if [ "${1:-}" = "--base" ]; then
  base=$2
  shift 2
fi
out=${1:-$root/build-m4crypto}
mkdir -p "$out"
for t in arm-none-eabi-gcc arm-none-eabi-size qemu-system-arm; do
  command -v "$t" >/dev/null || { echo "run.sh: $t not found" >&2; exit 1; }
done

# The firmware's compiler flags, read from the toolchain file.
read -r -a fwflags <<<"$(sed -n 's/^set(LF_ARM_FLAGS "\(.*\)")$/\1/p' "$root/cmake/arm-none-eabi.cmake")"
[ "${#fwflags[@]}" -gt 0 ] || { echo "run.sh: LF_ARM_FLAGS not found" >&2; exit 1; }
cflags=("${fwflags[@]}" -Os -std=c11 -Wall -Wextra -Werror)
# shellcheck disable=SC2054 # the commas belong to the linker options
lflags=(-nostartfiles --specs=nano.specs -Wl,--gc-sections -Wl,--no-warn-rwx-segments)

# build TAG SRCROOT: objects of SRCROOT's core/crypto, the benchmark image, and
# the per-primitive flash closures; then run the image in QEMU.
build() {
  local tag=$1 src=$2 d="$out/$1"
  rm -rf "$d"
  mkdir -p "$d"
  local objs=()
  for f in "$src"/core/crypto/*.c; do
    local o
    o="$d/$(basename "$f" .c).o"
    arm-none-eabi-gcc "${cflags[@]}" -I"$src/core/include" -I"$src/core/crypto" -c "$f" -o "$o"
    objs+=("$o")
  done
  # Start-up, vector table and stack painting: the Cortex-M layer of the
  # ports; section placement: the shared script every image uses.
  local cm="$root/ports/cortex-m"
  # On the target, the UMAAL kernels are checked against portable C (the
  # host tests only run the portable build); older trees have no kernels.
  local kern=()
  [ -f "$src/core/crypto/fe25519.h" ] && kern=(-DLF_BENCH_KERNELS)
  arm-none-eabi-gcc "${cflags[@]}" "${kern[@]}" -I"$src/core/include" -I"$src/core/crypto" \
    -I"$cm" -c "$here/main.c" -o "$d/main.o"
  arm-none-eabi-gcc "${cflags[@]}" -I"$cm" -c "$cm/cm_startup.c" -o "$d/cm_startup.o"
  arm-none-eabi-gcc "${fwflags[@]}" "${lflags[@]}" -L"$root/boards" -T "$here/link.ld" \
    -o "$d/bench.elf" "$d/cm_startup.o" "$d/main.o" "${objs[@]}"
  # Flash: what the linker keeps for a set of entry points, newlib-nano's
  # memcpy/memset/memcmp included (as in a firmware image).
  closure() { # name symbols...
    local name=$1 args=()
    shift
    # shellcheck disable=SC2054
    for s in "$@"; do args+=(-Wl,--undefined="$s"); done
    arm-none-eabi-gcc "${fwflags[@]}" "${lflags[@]}" -Wl,-e,"$1" "${args[@]}" "${objs[@]}" \
      -o "$d/$name.elf"
    arm-none-eabi-size "$d/$name.elf" | awk -v n="$name" 'NR==2 {print "flash_" n, $1 + $2}'
  }
  {
    closure sha256 lf_sha256_init lf_sha256_update lf_sha256_final
    closure sha512 lf_sha512_init lf_sha512_update lf_sha512_final
    closure p256 lf_p256_verify
    closure ed25519 lf_ed25519_verify
    closure stage0set lf_p256_verify lf_p256_sig_from_der lf_sha256_init lf_sha256_update \
      lf_sha256_final
  } >"$d/flash.txt"
  ulimit -c 0
  local rc=0
  timeout 300 qemu-system-arm -M mps2-an386 -icount shift=0 -display none -monitor none \
    -serial stdio -semihosting-config enable=on,target=native -kernel "$d/bench.elf" \
    </dev/null >"$d/run.txt" 2>"$d/qemu.err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "run.sh: $tag: QEMU exited with $rc (a check failed?):" >&2
    cat "$d/run.txt" "$d/qemu.err" >&2
    exit 1
  fi
  tr -d '\r' <"$d/run.txt" >>"$d/flash.txt"
}

if [ -n "$base" ]; then
  rm -rf "$out/base-src"
  mkdir -p "$out/base-src"
  git -C "$root" archive "$base" core/crypto core/include | tar -x -C "$out/base-src"
  build base "$out/base-src"
fi
build tree "$root"

val() { awk -v k="$2" '$1 == k {print $2}' "$out/$1/flash.txt"; }
bytes() { echo "$1 B"; }
kilo() { awk -v v="$1" 'BEGIN {printf "%.1f k", v / 1e3}'; }
mega() { awk -v v="$1" 'BEGIN {printf "%.2f M", v / 1e6}'; }
perbyte() { awk -v v="$1" 'BEGIN {printf "%.1f / B", v / 10}'; }

row() { # label key format published flashkey
  local label=$1 key=$2 fmt=$3 pub=$4 fk=$5 line fb="" ft=""
  if [ -n "$fk" ]; then
    fb=$(val base "flash_$fk" 2>/dev/null || true)
    ft=$(val tree "flash_$fk")
  fi
  if [ -n "$base" ]; then
    line="| $label | $($fmt "$(val base "$key")") | $($fmt "$(val tree "$key")") | $pub"
    line+=" | $fb | $ft |"
  else
    line="| $label | $($fmt "$(val tree "$key")") | $pub | $ft |"
  fi
  echo "$line"
}
calib=$(val tree calib_insns_per_kilotick)
echo "Cortex-M4 instructions retired (QEMU mps2-an386, -icount shift=0; timer calibration" \
  "$calib instructions per 1000 ticks), firmware flags -Os; flash = linked bytes incl. newlib-nano mem*."
echo
if [ -n "$base" ]; then
  echo "| operation | Leapfrog $base | Leapfrog now | published (Cortex-M4) | flash $base (B) | flash now (B) |"
  echo "|---|---:|---:|---|---:|---:|"
else
  echo "| operation | Leapfrog | published (Cortex-M4) | flash (B) |"
  echo "|---|---:|---|---:|"
fi
row "ECDSA P-256 verify" p256_verify mega "micro-ecc 7.8 M; TinyCrypt 14.7 M; p256-m 17.3 M" p256
row "Ed25519 verify (26-byte message, SHA-512 included)" ed25519_verify mega "Monocypher 1.7 M" ed25519
row "SHA-256 (8 KiB message)" sha256_x10_per_byte perbyte "TinyCrypt 70.6 / B" sha256
row "SHA-512 (8 KiB message)" sha512_x10_per_byte perbyte "-" sha512
row "P-256 public key check alone" p256_key_check kilo "" ""
row "Ed25519 public key check alone" ed25519_key_check kilo "" ""
row "stack of P-256 verify (measured)" stack_p256 bytes "" ""
row "stack of Ed25519 verify (measured)" stack_ed25519 bytes "" ""
if [ -n "$base" ]; then
  echo "| stage 0 crypto (P-256 + DER + SHA-256) | | | | $(val base flash_stage0set) | $(val tree flash_stage0set) |"
else
  echo "| stage 0 crypto (P-256 + DER + SHA-256) | | | $(val tree flash_stage0set) |"
fi
