#!/usr/bin/env bash
# Sign and pack the nRF52840 DK's firmware with lfimg and build the factory
# Intel HEX (docs/nrf52840.md section 4):
#   make_images.sh LFIMG BOARD FW_BIN_DIR KEY_DIR OUT_DIR PROVISION_ADDR
# KEY_DIR holds root.pem (stage 1, provisioned) and app.pem (the application
# key stage 1 links). OUT_DIR receives:
#   stage1-1.0.0-s0.signed.bin            the factory stage 1 (S0)
#   stage1-1.1.0-s{0,1}.signed.bin         an update, linked for each slot,
#   stage1-1.1.0.lfup                      and both in one update file
#   app-1.0.0.signed.bin, app-2.0.0.signed.bin
#   provision.bin                          the provision page's bytes
#   factory.hex                            stage 0, the provision page, stage 1
#                                          1.0.0 in S0 and the application 1.0.0
set -euo pipefail
lfimg="$1" board="$2" fw="$3" keys="$4" out="$5" prov_addr="$6"
mkdir -p "$out"
rm -f "$out"/*.hex

stage1() { # version counter slot(0|1)
  "$lfimg" sign --board "$board" --slot "s$3" -k "$keys/root.pem" --pad-header -v "$1" -s "$2" \
    "$fw/stage1-s$3.bin" "$out/stage1-$1-s$3.signed.bin" >/dev/null
}
app() { # version
  "$lfimg" sign --board "$board" --slot app -k "$keys/app.pem" --pad-header -v "$1" \
    "$fw/smp-app.bin" "$out/app-$1.signed.bin" >/dev/null
}
tohex() { # bin addr hex
  arm-none-eabi-objcopy -I binary -O ihex --change-addresses "$2" "$1" "$3"
}

stage1 1.0.0 1 0
stage1 1.1.0 1 0
stage1 1.1.0 1 1
"$lfimg" pack --board "$board" --s0 "$out/stage1-1.1.0-s0.signed.bin" \
  --s1 "$out/stage1-1.1.0-s1.signed.bin" -o "$out/stage1-1.1.0.lfup" >/dev/null
app 1.0.0
app 2.0.0
"$lfimg" provision --board "$board" --key "$keys/root.pem" --counter 1 -o "$out/provision.bin" >/dev/null

# S0 and the primary slot: the same on both DK layouts (boards/nrf52840dk*.def).
s0=0x4000 app_addr=0x18000
tohex "$out/stage1-1.0.0-s0.signed.bin" $s0 "$out/stage1-s0.hex"
tohex "$out/app-1.0.0.signed.bin" $app_addr "$out/app.hex"
tohex "$out/provision.bin" "$prov_addr" "$out/provision.hex"
arm-none-eabi-objcopy -O ihex "$fw/stage0.elf" "$out/stage0.hex"
# srec_cat refuses overlapping inputs ("contradictory values").
srec_cat "$out/stage0.hex" -Intel "$out/provision.hex" -Intel "$out/stage1-s0.hex" -Intel \
  "$out/app.hex" -Intel -o "$out/factory.hex" -Intel -Output_Block_Size 16
echo "factory.hex: stage 0 at 0x0, provision page at $prov_addr, stage 1 1.0.0 at $s0, application 1.0.0 at $app_addr"
