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

# ---- the documented commands: docs/lfsim.md section 5, run as written but for
# its first line, which sets the documented variables (BIN, W, PORT, BOARD) ----
SRC=$(cd "$(dirname "$0")/../.." && pwd)
awk '/^## 5\. A device made and updated by hand/{f=1} f&&/^```sh/{g=1;next} g&&/^```/{exit} g' \
    "$SRC/docs/lfsim.md" > "$WORK/documented.sh"
head -1 "$WORK/documented.sh" | grep -q '^BIN=build/bin; W=hand; PORT=1337; BOARD=nrf52840dk-qspi$' ||
    fail "docs/lfsim.md section 5 no longer starts with its variables line"
grep -q '^\$BIN/lfsim stop \$W/dev$' "$WORK/documented.sh" || fail "section 5 does not stop lfsim run"
W=$WORK/hand
{
    echo "BIN=$BIN_DIR; W=$W; PORT=$PORT; BOARD=nrf52840dk-qspi"
    # not documented: if a command fails, the lfsim run it started goes too
    echo 'trap '"'"'$BIN/lfsim stop $W/dev >/dev/null 2>&1; true'"'"' EXIT'
    tail -n +2 "$WORK/documented.sh"
} > "$WORK/run.sh"
bash -e -x "$WORK/run.sh" || fail "the documented commands failed (exit $?)"
# the block stopped its lfsim run (lfsim stop waits for it): the device is free
for _ in $(seq 100); do
    flock -n "$W/dev/lfsim.lock" true 2>/dev/null && break
    sleep 0.1
done

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
