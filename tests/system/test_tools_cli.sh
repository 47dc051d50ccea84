#!/usr/bin/env bash
# lfsim and lfimg as a user meets them (issue 12, points 4, 8, 9).
# usage: test_tools_cli.sh BIN_DIR WORK_DIR
set -u
BIN=$1
W=$2
LFSIM=$BIN/lfsim
LFIMG=$BIN/lfimg
LFMGR=$BIN/lfmgr
BOARD=nrf52840dk-qspi
FAILS=0
PIDS=()

cleanup() {
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    FAILS=$((FAILS + 1))
}

# run CMD..., keep its exit status, stdout and stderr in RC, OUT, ERR; a
# command that should have been refused but serves instead is stopped (124)
run() {
    timeout 60 "$@" >"$W/out" 2>"$W/err"
    RC=$?
    OUT=$(cat "$W/out")
    ERR=$(cat "$W/err")
}

# expect_rc N CMD...: CMD exits N
expect_rc() {
    local want=$1
    shift
    run "$@"
    if [ "$RC" != "$want" ]; then
        fail "'$*' exited $RC, expected $want; stderr: $ERR"
        return 1
    fi
    return 0
}

# expect_text HAYSTACK NEEDLE WHAT
expect_text() {
    case "$1" in
    *"$2"*) ;;
    *) fail "$3: '$2' not in: $1" ;;
    esac
}

# start_run DIR ARGS...: lfsim run in the background; sets RUN_PID and RUN_PORT
start_run() {
    local dir=$1
    shift
    local log="$W/run-$(basename "$dir").out"
    "$LFSIM" run "$dir" "$@" >"$log" 2>&1 &
    RUN_PID=$!
    PIDS+=("$RUN_PID")
    RUN_PORT=
    for _ in $(seq 100); do
        RUN_PORT=$(sed -n 's/^lfsim: serving SMP on udp 127.0.0.1:\([0-9]*\)$/\1/p' "$log")
        [ -n "$RUN_PORT" ] && break
        sleep 0.1
    done
    [ -n "$RUN_PORT" ] || fail "lfsim run $dir did not start: $(cat "$log")"
}

wait_up() {
    for _ in $(seq 50); do
        "$LFMGR" --conn "udp:127.0.0.1:$1" --timeout 1 --retries 0 echo up >/dev/null 2>&1 &&
            return 0
        sleep 0.1
    done
    fail "no device answers on port $1"
}

# the device's files, as a fingerprint (device.log and the lock aside)
fingerprint() {
    (cd "$1" && find . -type f ! -name device.log ! -name lfsim.lock -print0 | sort -z |
        xargs -0 cksum)
}

rm -rf "$W"
mkdir -p "$W"
A=$W/dev-a
B=$W/dev-b

echo "== a factory device, and an empty one"
expect_rc 0 "$LFSIM" demo --dir "$A" --board $BOARD --prepare-only
expect_rc 0 "$LFSIM" create "$B" --board $BOARD

echo "== create refuses an existing device without --force"
expect_rc 1 "$LFSIM" create "$B" --board $BOARD && expect_text "$ERR" "already holds a device" create
expect_rc 0 "$LFSIM" create "$B" --board $BOARD --force

echo "== a running lfsim run holds its directory and its port"
start_run "$A" --udp 0
wait_up "$RUN_PORT"
A_PID=$RUN_PID
A_PORT=$RUN_PORT
BEFORE=$(fingerprint "$A")

# the same port, another device: refused, the port named; the first still answers
expect_rc 6 "$LFSIM" run "$B" --no-boot --udp "$A_PORT" &&
    expect_text "$ERR" "UDP port $A_PORT is in use by another process" "same port"
[ -z "$(grep 'serving SMP' "$W/out")" ] || fail "the refused run printed 'serving SMP'"
expect_rc 0 "$LFMGR" --conn "udp:127.0.0.1:$A_PORT" --json bootloader info &&
    expect_text "$OUT" '"active_b0_slot"' "first device answers"
kill -0 "$A_PID" || fail "the first lfsim run is gone"

# the same directory: refused, the directory and the holder's pid named
expect_rc 6 "$LFSIM" run "$A" --udp 0 &&
    expect_text "$ERR" "device directory $A is in use by process $A_PID" "same directory"
# demo and create over the running device: refused, nothing touched
expect_rc 6 "$LFSIM" demo --dir "$A" --board $BOARD --prepare-only &&
    expect_text "$ERR" "device directory $A is in use by process $A_PID" "demo under run"
expect_rc 6 "$LFSIM" create "$A" --board $BOARD --force &&
    expect_text "$ERR" "device directory $A is in use by process $A_PID" "create under run"
expect_rc 6 "$LFSIM" program "$A" s1 "$A/images/provision.bin" &&
    expect_text "$ERR" "in use by process $A_PID" "program under run"
[ "$(fingerprint "$A")" = "$BEFORE" ] || fail "the running device's files changed"
expect_rc 0 "$LFMGR" --conn "udp:127.0.0.1:$A_PORT" echo still-here

# the lock survives a reset (the boots run in child processes)
expect_rc 0 "$LFMGR" --conn "udp:127.0.0.1:$A_PORT" reset
wait_up "$A_PORT"
expect_rc 6 "$LFSIM" run "$A" --udp 0

kill "$A_PID"
wait "$A_PID" 2>/dev/null
# released when the run ends
expect_rc 0 "$LFSIM" create "$B" --board $BOARD --force
# a killed run (SIGKILL: no cleanup of its own) leaves no boot serving and holding the lock
start_run "$A" --udp 0
wait_up "$RUN_PORT"
kill -9 "$RUN_PID"
wait "$RUN_PID" 2>/dev/null
for _ in $(seq 50); do
    flock -n "$A/lfsim.lock" true && break
    sleep 0.1
done
flock -n "$A/lfsim.lock" true || fail "a boot of the killed lfsim run still holds $A"
# --background: exits 0 once serving; the device answers; lfsim stop stops it
expect_rc 0 "$LFSIM" run "$A" --udp 0 --background
BG_PORT=$(sed -n 's/^lfsim: serving SMP on udp 127.0.0.1:\([0-9]*\)$/\1/p' "$W/out")
BG_PID=$(sed -n 's/^lfsim: running in the background as process \([0-9]*\);.*/\1/p' "$W/out")
[ -n "$BG_PORT" ] && [ -n "$BG_PID" ] || fail "lfsim run --background said: $OUT"
PIDS+=("$BG_PID")
expect_rc 0 "$LFMGR" --conn "udp:127.0.0.1:$BG_PORT" echo in-the-background
expect_rc 6 "$LFSIM" run "$A" --udp 0 &&
    expect_text "$ERR" "in use by process $BG_PID (lfsim run); stop it first (\`lfsim stop $A\`)" \
        "background holder"
expect_rc 0 "$LFSIM" stop "$A" && expect_text "$OUT" "stopped lfsim run on $A (process $BG_PID)" stop
# gone, or a zombie its new parent has not reaped yet
for _ in $(seq 20); do
    st=$(ps -o stat= -p "$BG_PID" 2>/dev/null)
    [ -z "$st" ] || [ "${st:0:1}" = Z ] && break
    sleep 0.1
done
[ -z "$st" ] || [ "${st:0:1}" = Z ] || fail "lfsim stop left process $BG_PID running ($st)"
flock -n "$A/lfsim.lock" true || fail "lfsim stop left $A locked"
expect_rc 0 "$LFSIM" stop "$A" && expect_text "$OUT" "nothing runs $A" "stop with nothing running"
expect_rc 4 "$LFSIM" stop "$W/nothing-here"
# an unprovisioned device halts in stage 0's safe state: exit 3 with stage 0's reason
expect_rc 3 "$LFSIM" run "$B" --udp 0 &&
    expect_text "$ERR" "safe state: PROVISION_BLANK (provision area not programmed)" "blank device"

echo "== lfsim run: a missing or damaged device is named before anything is served"
expect_rc 4 "$LFSIM" run "$W/nothing-here" --udp 0 && expect_text "$ERR" "$W/nothing-here" missing
grep -q "serving SMP" "$W/out" && fail "a missing device printed 'serving SMP'"
truncate -s 1000 "$B/flash-external.bin"
expect_rc 4 "$LFSIM" run "$B" --udp 0 && expect_text "$ERR" "$B/flash-external.bin" damaged
grep -q "serving SMP" "$W/out" && fail "a damaged device printed 'serving SMP'"
rm "$B/otp.bin.meta"
expect_rc 0 "$LFSIM" create "$B" --board $BOARD --force
rm "$B/otp.bin.meta"
expect_rc 4 "$LFSIM" run "$B" --udp 0 && expect_text "$ERR" "$B/otp.bin.meta" "missing meta"
echo garbage >"$B/board"
expect_rc 4 "$LFSIM" run "$B" --udp 0 && expect_text "$ERR" "$B/board" "bad board file"

echo "== --version, every --help, usage errors"
expect_rc 0 "$LFSIM" --version && expect_text "$OUT" "lfsim " version
expect_rc 0 "$LFIMG" --version && expect_text "$OUT" "lfimg " version
for tool in lfsim lfimg; do
    expect_rc 0 "$BIN/$tool" --help && expect_text "$OUT" "Exit codes (the same" "$tool --help"
done
for c in create program run stop demo stage1-image; do
    expect_rc 0 "$LFSIM" "$c" --help &&
        expect_text "$OUT" "usage: lfsim $c" "lfsim $c --help" &&
        expect_text "$OUT" "6 busy" "lfsim $c --help"
done
for c in keygen getpub sign verify dump dumpinfo provision pack; do
    expect_rc 0 "$LFIMG" "$c" --help &&
        expect_text "$OUT" "lfimg $c" "lfimg $c --help" &&
        expect_text "$OUT" "6 busy" "lfimg $c --help"
done
run "$LFSIM" run --help
for o in --udp --no-udp --pty --baud --ble --mtu --buf-size --legacy --cut-at --no-boot \
    --watchdog --verbose --background; do
    expect_text "$OUT" "  $o " "lfsim run --help lists $o"
done
run "$LFIMG" pack --help
expect_text "$OUT" "-o FILE.lfup" "pack usage"
expect_rc 1 "$LFSIM"
expect_rc 1 "$LFSIM" frobnicate
expect_rc 1 "$LFSIM" run
expect_rc 1 "$LFSIM" stop
expect_rc 1 "$LFSIM" run "$A" --frobnicate
expect_rc 1 "$LFSIM" run "$A" --udp 70000
expect_rc 1 "$LFSIM" create "$W/x"
expect_rc 1 "$LFSIM" create "$W/x" --board nope
expect_rc 1 "$LFSIM" program "$A" s0
expect_rc 1 "$LFSIM" program "$A" nowhere "$A/images/provision.bin"
expect_rc 1 "$LFSIM" demo
expect_rc 1 "$LFSIM" stage1-image -o "$W/x.bin"
expect_rc 1 "$LFIMG"
expect_rc 1 "$LFIMG" frobnicate
expect_rc 1 "$LFIMG" sign
expect_rc 1 "$LFIMG" dump
expect_rc 1 "$LFIMG" verify "$A/images/app-v1.0.0.signed.bin"
expect_rc 1 "$LFIMG" sign --board $BOARD --slot s2 -k "$A/keys/app.pem" -v 1 x y
expect_rc 4 "$LFIMG" verify -k "$A/keys/root-0.pem" "$A/images/app-v1.0.0.signed.bin" &&
    expect_text "$OUT" "invalid" "verify with the wrong key"
expect_rc 0 "$LFIMG" verify -k "$A/keys/app.pem" "$A/images/app-v1.0.0.signed.bin"

echo "== stage1-image: the key table of docs/lfsim.md section 3"
expect_rc 0 "$LFIMG" keygen -k "$W/k-ed.pem" -t ed25519
expect_rc 0 "$LFIMG" getpub -k "$A/keys/app.pem" --format pem -o "$W/app.pub.pem"
expect_rc 1 "$LFSIM" stage1-image --app-key "$W/app.pub.pem" --app-key "$A/keys/app.pub.der" \
    -o "$W/s1.bin" && expect_text "$ERR" "are the same key" "same key twice"
expect_rc 0 "$LFSIM" stage1-image --app-key "$W/app.pub.pem" --app-key "$W/k-ed.pem" \
    --size 4096 -o "$W/s1.bin" && expect_text "$OUT" "2 application keys" "two keys"
[ "$(stat -c %s "$W/s1.bin")" = 4096 ] || fail "stage1-image --size 4096"
# "LFK1", count 2, then key 0: type 1 (P-256), DER length 91; the DER is the public key's
[ "$(head -c 12 "$W/s1.bin" | od -An -tx1 | tr -d ' \n')" = "4c464b310200000001005b00" ] ||
    fail "key table header: $(head -c 12 "$W/s1.bin" | od -An -tx1)"
cmp -n 91 -i 12:0 "$W/s1.bin" "$A/keys/app.pub.der" || fail "key 0 is not app.pub.der"
expect_rc 4 "$LFSIM" stage1-image --app-key "$A/images/app.bin" -o "$W/s1.bin"
expect_rc 4 "$LFSIM" stage1-image --app-key "$W/missing.pem" -o "$W/s1.bin"
expect_rc 1 "$LFSIM" stage1-image --app-key "$W/k-ed.pem" --size 16 -o "$W/s1.bin"
expect_rc 1 "$LFSIM" stage1-image --app-key "$W/k-ed.pem" --app-key "$W/k-ed.pem" \
    --app-key "$W/k-ed.pem" --app-key "$W/k-ed.pem" --app-key "$W/k-ed.pem" -o "$W/s1.bin"

echo "== dumpinfo is dump"
for f in "$A/images/app-v1.0.0.signed.bin" "$A/images/stage1-v1.1.0.lfup"; do
    for j in "" --json; do
        run "$LFIMG" dump $j "$f"
        D=$OUT
        DRC=$RC
        expect_rc "$DRC" "$LFIMG" dumpinfo $j "$f"
        [ "$OUT" = "$D" ] || fail "dumpinfo $j $f differs from dump"
        expect_rc 0 "$LFIMG" dumpinfo $j -o "$W/info.txt" "$f"
        [ "$(cat "$W/info.txt")" = "$D" ] || fail "dumpinfo -o $f differs from dump"
        [ -z "$OUT" ] || fail "dumpinfo -o printed on stdout"
    done
done
expect_rc 0 "$LFIMG" dumpinfo -s "$A/images/app-v1.0.0.signed.bin" && [ -z "$OUT" ] ||
    fail "dumpinfo -s printed"
expect_rc 4 "$LFIMG" dumpinfo -s "$A/images/provision.bin"

echo "== Intel HEX output"
# ed25519 signatures are deterministic: the .hex and the .bin hold the same image
expect_rc 0 "$LFIMG" keygen -k "$W/ed.pem" -t ed25519
S1=$A/images/stage1.bin
for slot in s0 s1; do
    expect_rc 0 "$LFIMG" sign --board $BOARD --slot $slot --pad-header -k "$W/ed.pem" \
        -v 1.4.0 -s 2 "$S1" "$W/s.bin"
    expect_rc 0 "$LFIMG" sign --board $BOARD --slot $slot --pad-header -k "$W/ed.pem" \
        -v 1.4.0 -s 2 "$S1" "$W/s.hex"
    objcopy -I ihex -O binary "$W/s.hex" "$W/s-from-hex.bin" || fail "objcopy cannot read the hex"
    cmp "$W/s.bin" "$W/s-from-hex.bin" || fail "hex $slot: bytes differ"
    # at the slot's address: S0 0x4000, S1 0xc000 on this board
    want=$([ $slot = s0 ] && echo 4000 || echo C000)
    first=$(sed -n '2p' "$W/s.hex")
    [ "$(head -1 "$W/s.hex")" = ":020000040000FA" ] || fail "hex $slot: first record"
    [ "${first:3:4}" = "$want" ] || fail "hex $slot: data at ${first:3:4}, expected $want"
done
# --hex-addr, across a 64 KiB boundary: the same bytes, an extended address record each 64 KiB
expect_rc 0 "$LFIMG" sign -k "$W/ed.pem" -H 0x200 --pad-header -v 1.0.0 -S 0x40000 \
    "$A/images/app.bin" "$W/app.bin"
expect_rc 0 "$LFIMG" sign -k "$W/ed.pem" -H 0x200 --pad-header -v 1.0.0 -S 0x40000 \
    --hex-addr 0x1234fff8 "$A/images/app.bin" "$W/app.hex"
objcopy -I ihex -O binary "$W/app.hex" "$W/app-from-hex.bin" || fail "objcopy: app.hex"
cmp "$W/app.bin" "$W/app-from-hex.bin" || fail "app.hex: bytes differ"
if command -v srec_cat >/dev/null; then
    # srec_cat places the bytes at their addresses: nothing below 0x1234fff8
    srec_cat "$W/app.hex" -intel -offset -0x1234fff8 -o "$W/app-srec.bin" -binary ||
        fail "srec_cat cannot read app.hex"
    cmp "$W/app.bin" "$W/app-srec.bin" || fail "app.hex via srec_cat: bytes or address differ"
fi
grep -q '^:020000041234B4$' "$W/app.hex" || fail "no extended address record for 0x1234"
grep -q '^:020000041235B3$' "$W/app.hex" || fail "no extended address record for 0x1235"
grep -q '^:08FFF800' "$W/app.hex" || fail "the record before the boundary is not cut at it"
[ "$(tail -1 "$W/app.hex")" = ":00000001FF" ] || fail "no end-of-file record"
expect_rc 1 "$LFIMG" sign -k "$W/ed.pem" -H 0x200 --pad-header -v 1 -S 0x40000 \
    "$W/app.hex" "$W/x.bin"

echo "tools_cli: $FAILS failure(s)"
[ "$FAILS" = 0 ]
