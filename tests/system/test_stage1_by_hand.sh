#!/usr/bin/env bash
# docs/lfsim.md section 5: a device provisioned and updated by hand with the
# commands the tools offer, exactly as documented (the README's section
# "Provisioning a device and updating stage 1 by hand" holds the same
# commands); then what the device says about it.
# usage: test_stage1_by_hand.sh BIN_DIR WORK_DIR
set -eu
BIN_DIR=$1
WORK=$2
rm -rf "$WORK"
mkdir -p "$WORK"
# a free UDP port (lfsim run refuses one in use)
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))
LFSIM_PID=
trap '[ -n "$LFSIM_PID" ] && kill $LFSIM_PID 2>/dev/null; true' EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}

set -x
# ---- the documented commands (BIN, W and PORT are the documented variables) ----
BIN=$BIN_DIR
W=$WORK/hand
BOARD=nrf52840dk-qspi
mkdir -p $W
# root key: stage 0 trusts it (its hash is provisioned); it signs stage 1
$BIN/lfimg keygen -k $W/root.pem -t ecdsa-p256
# application key: stage 1 trusts it (it is in stage 1's key table); it signs the application
$BIN/lfimg keygen -k $W/app.pem -t ecdsa-p256
# stage 1 for the virtual device, the application key in its key table; signed with the root key for S0
$BIN/lfsim stage1-image --app-key $W/app.pem -o $W/stage1.bin
$BIN/lfimg sign --board $BOARD --slot s0 --pad-header -k $W/root.pem -v 1.0.0 -s 1 $W/stage1.bin $W/stage1-v1.0.0-s0.signed.bin
# an application (any bytes on the virtual device), signed with the application key
head -c 49152 /dev/zero > $W/app.bin
$BIN/lfimg sign --board $BOARD --slot app --pad-header -k $W/app.pem -v 1.0.0 $W/app.bin $W/app-v1.0.0.signed.bin
# the factory: the provision area (root key, security counter 1), stage 1 in S0, the application
$BIN/lfimg provision --board $BOARD --key $W/root.pem --counter 1 -o $W/provision.bin
$BIN/lfsim create $W/dev --board $BOARD
$BIN/lfsim program $W/dev provision $W/provision.bin
$BIN/lfsim program $W/dev s0 $W/stage1-v1.0.0-s0.signed.bin
$BIN/lfsim program $W/dev app-primary $W/app-v1.0.0.signed.bin
# boot it and serve SMP in the background
$BIN/lfsim run $W/dev --udp $PORT > $W/lfsim.out 2>&1 &
LFSIM_PID=$!
sleep 1
$BIN/lfmgr --conn udp:127.0.0.1:$PORT bootloader info
# stage 1 1.1.0 (security counter 2): signed with the root key for S0 and for S1, packed into one update file
$BIN/lfimg sign --board $BOARD --slot s0 --pad-header -k $W/root.pem -v 1.1.0 -s 2 $W/stage1.bin $W/stage1-v1.1.0-s0.signed.bin
$BIN/lfimg sign --board $BOARD --slot s1 --pad-header -k $W/root.pem -v 1.1.0 -s 2 $W/stage1.bin $W/stage1-v1.1.0-s1.signed.bin
$BIN/lfimg pack --board $BOARD --s0 $W/stage1-v1.1.0-s0.signed.bin --s1 $W/stage1-v1.1.0-s1.signed.bin -o $W/stage1-v1.1.0.lfup
# lfmgr sends the variant for the slot the device does not run from, tests it and resets
$BIN/lfmgr --conn udp:127.0.0.1:$PORT bootloader update $W/stage1-v1.1.0.lfup --board $BOARD
$BIN/lfmgr --conn udp:127.0.0.1:$PORT bootloader info
# application 2.0.0: signed with the application key, uploaded, tested, reset, confirmed
$BIN/lfimg sign --board $BOARD --slot app --pad-header -k $W/app.pem -v 2.0.0 $W/app.bin $W/app-v2.0.0.signed.bin
$BIN/lfmgr --conn udp:127.0.0.1:$PORT image upload $W/app-v2.0.0.signed.bin | tee $W/upload.out
$BIN/lfmgr --conn udp:127.0.0.1:$PORT image test $(sed -n 's/^image hash: //p' $W/upload.out)
$BIN/lfmgr --conn udp:127.0.0.1:$PORT reset
$BIN/lfmgr --conn udp:127.0.0.1:$PORT image confirm
$BIN/lfmgr --conn udp:127.0.0.1:$PORT image list
kill $LFSIM_PID
# ---- end of the documented commands ----
set +x
wait $LFSIM_PID 2>/dev/null || true
LFSIM_PID=

# what the device did, from its log: the hand-made stage 1 booted from S0,
# the update's S1 variant was tried and confirmed itself, the application
# 2.0.0 was swapped in and runs
LOG=$W/dev/device.log
grep -q '^stage0: boot s0 1.0.0+0' $LOG || fail "stage 1 1.0.0 did not boot from S0"
grep -q '^stage1: running from s0 (1.0.0+0)' $LOG || fail "stage 1 1.0.0 did not run"
grep -q '^stage0: boot s1 1.1.0+0 .*(trial)' $LOG || fail "stage 1 1.1.0 was not tried in S1"
grep -q '^stage1: confirmed itself in s1' $LOG || fail "stage 1 1.1.0 did not confirm itself"
grep -q '^app: running 2.0.0' $LOG || fail "the application 2.0.0 did not run"
# and from the device itself, booted again on the same flash
"$BIN_DIR/lfsim" run $W/dev --udp $PORT > $W/lfsim2.out 2>&1 &
LFSIM_PID=$!
sleep 1
"$BIN_DIR/lfmgr" --conn udp:127.0.0.1:$PORT --json bootloader info > $W/info.json
grep -q '"active_b0_slot": 1' $W/info.json || fail "S1 is not active: $(cat $W/info.json)"
"$BIN_DIR/lfmgr" --conn udp:127.0.0.1:$PORT image list > $W/list.out
cat $W/list.out
grep -Eq '^0 +0 +2\.0\.0 +active confirmed' $W/list.out || fail "application 2.0.0 not confirmed"
grep -Eq '^1 +1 +1\.1\.0 +active confirmed' $W/list.out || fail "stage 1 1.1.0 not confirmed in S1"
echo "stage1_by_hand: ok"
