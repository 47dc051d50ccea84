#!/usr/bin/env bash
# Links a minimal Cortex-M4 program with every generated linker script and
# checks that its vector table lands at the FLASH origin the layout implies.
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/min.c" <<'C'
extern unsigned __stack_top__;
void lf_reset_handler(void);
void lf_reset_handler(void) { for (;;) { } }
__attribute__((section(".vectors"), used)) static const void *const vectors[2] = {&__stack_top__, lf_reset_handler};
C
count=0
for ld in "$build"/boards/*/*.ld; do
  origin=$(sed -n 's/.*FLASH (rx) : ORIGIN = \(0x[0-9a-f]*\).*/\1/p' "$ld")
  arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -nostdlib -T "$ld" -L "$src/boards" "$tmp/min.c" -o "$tmp/min.elf"
  vec=$(arm-none-eabi-nm "$tmp/min.elf" | awk '$3 == "vectors" {print $1}')
  if [ $((16#$vec)) -ne $((origin)) ]; then
    echo "FAIL $ld: vector table at 0x$vec, layout says $origin"
    exit 1
  fi
  count=$((count + 1))
done
[ "$count" -ge 12 ] || { echo "FAIL: only $count linker scripts"; exit 1; }
echo "link-check: $count generated linker scripts link, vector tables at their layout's origin"
