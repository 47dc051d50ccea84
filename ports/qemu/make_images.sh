#!/usr/bin/env bash
# Sign and pack the firmware images with lfimg and build the factory flash
# file (docs/qemu.md section 5):
#   make_images.sh LFIMG FW_BIN_DIR KEY_DIR OUT_DIR
# KEY_DIR holds root.pem (stage 1, provisioned) and app.pem (the application
# key stage 1 links). OUT_DIR receives the signed images, the stage-1 update
# files, provision.bin, factory.bin (stage 0, stage 1 1.0.0 in S0,
# application 1.0.0) and factory-bench.bin (the same with a 256 KiB
# application).
set -euo pipefail
lfimg="$1" fw="$2" keys="$3" out="$4"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out"
board=qemu
s0=0x4000 s1=0x10000 s_size=0xC000 app_size=0xDE000

stage1() { # version counter slot(0|1)
  local addr=$s0 bin="$fw/stage1-s0.bin"
  if [ "$3" = 1 ]; then addr=$s1 bin="$fw/stage1-s1.bin"; fi
  "$lfimg" sign -k "$keys/root.pem" -H 0x200 --pad-header --align 4 -v "$1" -s "$2" -S $s_size \
    -F $addr --public-key-format full "$bin" "$out/stage1-$1-s$3.signed.bin" >/dev/null
}
app() { # version input output
  "$lfimg" sign -k "$keys/app.pem" -H 0x200 --pad-header --align 4 -v "$1" -S $app_size \
    "$2" "$3" >/dev/null
}

stage1 1.0.0 1 0
stage1 1.1.0 1 0
stage1 1.1.0 1 1
stage1 1.2.0 1 0
stage1 1.2.0 1 1
"$lfimg" pack --board $board --s0 "$out/stage1-1.1.0-s0.signed.bin" \
  --s1 "$out/stage1-1.1.0-s1.signed.bin" -o "$out/stage1-1.1.0.lfup" >/dev/null
for v in 1.0.0 2.0.0 3.0.0; do
  app $v "$fw/smp-app.bin" "$out/app-$v.signed.bin"
done
# The bench's application: the same program padded to 256 KiB, so stage 1
# validates (hashes and checks) a 256 KiB image at boot.
cp "$fw/smp-app.bin" "$out/app-256k.bin"
truncate -s $((256 * 1024 - 0x200)) "$out/app-256k.bin"
app 1.0.0 "$out/app-256k.bin" "$out/app-256k.signed.bin"
"$lfimg" provision --board $board --key "$keys/root.pem" --counter 1 -o "$out/provision.bin" >/dev/null
python3 "$here/nvm.py" factory "$out/factory.bin" --stage0 "$fw/stage0.bin" \
  --s0 "$out/stage1-1.0.0-s0.signed.bin" --app "$out/app-1.0.0.signed.bin" \
  --provision "$out/provision.bin"
python3 "$here/nvm.py" factory "$out/factory-bench.bin" --stage0 "$fw/stage0.bin" \
  --s0 "$out/stage1-1.0.0-s0.signed.bin" --app "$out/app-256k.signed.bin" \
  --provision "$out/provision.bin"
