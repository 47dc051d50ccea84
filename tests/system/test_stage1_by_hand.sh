#!/usr/bin/env bash
# The README's section "Provisioning a device and updating it by hand": a
# device provisioned and updated with the commands the tools offer, exactly
# as documented; then what the device says about it.
# usage: test_stage1_by_hand.sh BIN_DIR WORK_DIR
set -eu
BIN_DIR=$1
WORK=$2
rm -rf "$WORK"
mkdir -p "$WORK"
# a free UDP port (lfsim run refuses one in use)
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))
trap '"$BIN_DIR/lfsim" stop "$WORK/tree/hand/dev" >/dev/null 2>&1; true' EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}

# ---- the documented commands: every shell block of the README's section
# "Provisioning a device and updating it by hand", as written, run from a
# folder whose build/bin is this build's, with LF_PORT (the README's variable
# for the port) set to a free port ----
SRC=$(cd "$(dirname "$0")/../.." && pwd)
awk '/^## Provisioning a device and updating it by hand/{f=1;next} f&&/^## /{exit}
     f&&/^```sh/{g=1;next} g&&/^```/{g=0;next} g' "$SRC/README.md" > "$WORK/documented.sh"
grep -q '^lfsim stop dev$' "$WORK/documented.sh" || fail "the README's section does not stop lfsim run"
mkdir -p "$WORK/tree/build"
ln -s "$(cd "$BIN_DIR" && pwd)" "$WORK/tree/build/bin"
W=$WORK/tree/hand
{
    # not in the README: if a command fails, the lfsim run it started goes too
    echo 'trap '"'"'build/bin/lfsim stop hand/dev >/dev/null 2>&1; true'"'"' EXIT'
    cat "$WORK/documented.sh"
} > "$WORK/run.sh"
(cd "$WORK/tree" && LF_PORT=$PORT bash -e -x "$WORK/run.sh") || fail "the documented commands failed (exit $?)"
# the block stopped its lfsim run (lfsim stop waits for it): the device is free
for _ in $(seq 100); do
    flock -n "$W/dev/lfsim.lock" true 2>/dev/null && break
    sleep 0.1
done

# what the device did, from its log: the hand-made stage 1 booted from S0,
# the application 1.1.0 was swapped in and runs, the update's S1 variant
# was tried and confirmed itself
LOG=$W/dev/device.log
grep -q '^stage0: boot s0 1.0.0+0' $LOG || fail "stage 1 1.0.0 did not boot from S0"
grep -q '^stage1: running from s0 (1.0.0+0)' $LOG || fail "stage 1 1.0.0 did not run"
grep -q '^stage0: boot s1 1.1.0+0 .*(trial)' $LOG || fail "stage 1 1.1.0 was not tried in S1"
grep -q '^stage1: confirmed itself in s1' $LOG || fail "stage 1 1.1.0 did not confirm itself"
grep -q '^app: running 1.1.0' $LOG || fail "the application 1.1.0 did not run"
# and from the device itself, booted again on the same flash
"$BIN_DIR/lfsim" run $W/dev --udp $PORT --background > $W/lfsim2.out 2>&1
"$BIN_DIR/lfmgr" --conn udp:127.0.0.1:$PORT --json bootloader info > $W/info.json
grep -q '"active_b0_slot": 1' $W/info.json || fail "S1 is not active: $(cat $W/info.json)"
"$BIN_DIR/lfmgr" --conn udp:127.0.0.1:$PORT image list > $W/list.out
cat $W/list.out
grep -Eq '^0 +0 +1\.1\.0 +active confirmed' $W/list.out || fail "application 1.1.0 not confirmed"
grep -Eq '^1 +1 +1\.1\.0 +active confirmed' $W/list.out || fail "stage 1 1.1.0 not confirmed in S1"
"$BIN_DIR/lfsim" stop $W/dev
echo "stage1_by_hand: ok"
