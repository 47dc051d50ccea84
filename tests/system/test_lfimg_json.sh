#!/usr/bin/env bash
# lfimg --json: exactly one JSON object on stdout for every command, success or
# failure (docs/exit-codes.md), and the exit code the table gives; a failure's
# object carries "ok": false, "exit" and "error".
# usage: test_lfimg_json.sh BIN_DIR WORK_DIR
set -eu
BIN=$1
W=$2
rm -rf "$W" && mkdir -p "$W" && cd "$W"
fails=0
one_object() { # rc-expected what... ; checks stdout is one JSON object
    local want=$1
    shift
    local rc=0
    "$BIN/lfimg" "$@" >out.json 2>err.txt || rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL: lfimg $* exited $rc, want $want"
        fails=$((fails + 1))
        return
    fi
    if ! python3 - "$rc" <<'PY'
import json, sys
rc = int(sys.argv[1])
text = open("out.json").read()
obj, end = json.JSONDecoder().raw_decode(text.lstrip())
assert isinstance(obj, dict), "not an object"
assert text.lstrip()[end:].strip() == "", "more than one JSON value"
if rc != 0 and "valid" not in obj:
    assert obj.get("ok") is False and obj.get("exit") == rc and obj.get("error"), obj
PY
    then
        echo "FAIL: lfimg $*: stdout is not one JSON object: $(head -c 300 out.json)"
        fails=$((fails + 1))
    fi
}
"$BIN/lfimg" keygen -k app.pem -t ecdsa-p256
"$BIN/lfimg" keygen -k other.pem -t ecdsa-p256
head -c 4096 /dev/zero >app.bin
"$BIN/lfimg" sign --board nrf52840dk-qspi --slot app -k app.pem -v 1.0.0 --pad-header app.bin app.signed.bin
"$BIN/lfimg" sign --board nrf52840dk-qspi --slot s0 -k app.pem -v 1.0.0 -s 1 --pad-header app.bin s0.bin
"$BIN/lfimg" sign --board nrf52840dk-qspi --slot s1 -k app.pem -v 1.0.0 -s 1 --pad-header app.bin s1.bin

one_object 0 dump --json app.signed.bin
one_object 0 dumpinfo --json app.signed.bin
one_object 0 verify --json -k app.pem app.signed.bin
one_object 4 verify --json -k other.pem app.signed.bin    # not valid: its own object
one_object 4 dump --json /dev/null
one_object 4 dump --json missing.bin
one_object 0 provision --json -b nrf52840dk-qspi -k app.pem -o prov.bin
one_object 1 provision --json -b nosuch -k app.pem -o prov.bin
one_object 0 pack --json --board nrf52840dk-qspi --s0 s0.bin --s1 s1.bin -o s.lfup
one_object 0 dump --json s.lfup
one_object 1 pack --json
one_object 1 sign --json
one_object 1 keygen --json
one_object 1 getpub --json
one_object 1 frobnicate --json
if [ $fails -ne 0 ]; then
    echo "lfimg_json: $fails failures"
    exit 1
fi
echo "lfimg_json: ok"
