#!/usr/bin/env python3
"""Seeds for tests/fuzz/smp_request.c (written to tests/fuzz/corpus/smp_request/):
one file per scenario, [options byte][BE16 length][packet]... with packets
built from the request shapes of docs/reference/smp.md section 2. The images match the
harness's small board (S1 at CPU address 0x8000)."""
import hashlib
import os
import struct
import sys


# The CBOR encoder of gen_vectors.py (independent of the C codec).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_vectors import enc  # noqa: E402


def msg(ver, op, group, cid, body, seq=1):
    p = enc(body) if body is not None else b''
    return bytes([ver << 3 | op, 0]) + struct.pack('>HHBB', len(p), group, seq, cid) + p


def image(minor, payload, rom_fixed_addr=None, sec_cnt=None):
    prot = 12 if sec_cnt is not None else 0
    flags = 0x100 if rom_fixed_addr is not None else 0
    out = struct.pack('<IIHHII', 0x96f3b83d, rom_fixed_addr or 0, 32, prot, payload, flags)
    out += struct.pack('<BBHI', 1, minor, 0, 0) + b'\0' * 4
    out += bytes((i * 5 + 3) & 0xff for i in range(payload))
    if prot:
        out += struct.pack('<HHHHI', 0x6908, 12, 0x50, 4, sec_cnt)
    return out + struct.pack('<HHHH', 0x6907, 40, 0x10, 32) + hashlib.sha256(out).digest()


def upload(img, image_no, chunk, ver=1, sha=True, seq0=10):
    out = []
    sh = hashlib.sha256(img).digest()
    off = 0
    while off < len(img):
        d = img[off:off + chunk]
        b = {'image': image_no, 'len': len(img), 'off': 0, 'sha': sh, 'data': d} if off == 0 \
            else {'off': off, 'data': d}
        if off == 0 and not sha:
            del b['sha']
        out.append(msg(ver, 2, 1, 1, b, seq0 + len(out)))
        off += len(d)
    return out


def seed(opt, packets):
    return bytes([opt]) + b''.join(struct.pack('>H', len(p)) + p for p in packets)


APP2 = image(1, 600)
S1 = image(1, 500, 0x8000, 3)
S0V = image(1, 500, 0x4000, 3)
S = {}
S['echo-v1'] = seed(0, [msg(0, 2, 0, 0, {'d': 'hello'})])
S['echo-v2-two'] = seed(0, [msg(1, 2, 0, 0, {'d': 'a'}) + msg(1, 0, 0, 0, {'d': 'b'})])
S['reset'] = seed(0x40, [msg(1, 2, 0, 5, {'force': True}), msg(1, 2, 0, 5, {})])
S['params-info'] = seed(0, [msg(1, 0, 0, 6, {}), msg(1, 0, 0, 7, {'format': 'a'}),
                            msg(0, 0, 0, 7, {'format': 'snrvbmpio'})])
S['datetime'] = seed(0, [msg(1, 0, 0, 4, {}), msg(1, 2, 0, 4, {'datetime': '2025-01-01T00:00:00'})])
S['bootloader'] = seed(2, [msg(1, 0, 0, 8, {}), msg(1, 0, 0, 8, {'query': 'mode'}),
                           msg(1, 0, 0, 8, {'query': 'active_b0_slot'}),
                           msg(1, 0, 0, 8, {'query': 'counter'}),
                           msg(1, 0, 0, 8, {'query': 'boot_record'}),
                           msg(1, 0, 0, 8, {'query': 'x'})])
S['state'] = seed(0, [msg(1, 0, 1, 0, {}), msg(0, 0, 1, 6, {})])
S['state-legacy'] = seed(1, [msg(0, 0, 1, 0, {})])
S['erase'] = seed(0, [msg(1, 2, 1, 5, {}), msg(1, 2, 1, 5, {'slot': 3}),
                      msg(1, 2, 1, 5, {'slot': 0}), msg(0, 2, 1, 5, {'slot': 9})])
S['confirm'] = seed(0, [msg(0, 2, 1, 0, {'confirm': True, 'hash': None}),
                        msg(1, 2, 1, 0, {'confirm': True, 'hash': b''}),
                        msg(1, 2, 1, 0, {'hash': bytes(32)})])
S['upload-app'] = seed(0, upload(APP2, 0, 256) + [msg(1, 2, 1, 0, {'hash': APP2[-32:]}),
                                                  msg(1, 0, 1, 0, {})])
S['upload-app-v1-small'] = seed(1, upload(APP2, 0, 51, ver=0, sha=False))
S['upload-app-reset'] = seed(0x40, upload(APP2, 0, 200) + upload(APP2, 0, 200)[:1])
S['upload-s1'] = seed(0, upload(S1, 1, 300) + [msg(1, 2, 1, 0, {'hash': S1[-32:]}),
                                               msg(1, 2, 1, 0, {'hash': S1[-32:], 'confirm': True})])
S['upload-s1-wrong-variant'] = seed(2, upload(S0V, 1, 300)[:1])
S['upload-s0-when-s1-active'] = seed(0x10, upload(S0V, 1, 700))
# a stage 1 whose counter (2) is below the stored one (3), in several chunks:
# refused when SEC_CNT arrives, the slot erased again (docs/smp-upload.md 2.1)
S1_LOW = image(1, 500, 0x8000, 2)
S['upload-s1-counter-low'] = seed(0, upload(S1_LOW, 1, 200) + [msg(1, 0, 1, 0, {})])
S['upload-s1-counter-low-reset'] = seed(0x40, upload(S1_LOW, 1, 200))
S['upload-trial'] = seed(0x20, upload(S1, 1, 300)[:1])
S['upload-resume'] = seed(0, upload(APP2, 0, 200)[:2] + upload(APP2, 0, 200)[:1] +
                          [msg(1, 2, 1, 1, {'off': 999, 'data': b'x'}),
                           msg(1, 2, 1, 1, {'off': 400, 'data': APP2[400:]})])
S['upload-errors'] = seed(2, [msg(1, 2, 1, 1, {'data': b'x'}),
                              msg(1, 2, 1, 1, {'off': 0, 'data': APP2[:20]}),
                              msg(1, 2, 1, 1, {'off': 0, 'len': 5, 'data': APP2[:40]}),
                              msg(1, 2, 1, 1, {'off': 0, 'len': 99999999, 'data': APP2[:40]}),
                              msg(1, 2, 1, 1, {'off': 0, 'len': 700, 'upgrade': True,
                                               'data': APP2[:40]})])
S['malformed'] = seed(0, [bytes([0x0a, 0, 0, 3, 0, 0, 1, 0, 0xa1, 0x61]),
                          bytes([0x12, 0, 0, 0, 0, 0, 1, 0]),
                          bytes([0x0b, 0, 0, 1, 0, 0, 1, 0, 0xa0]),
                          bytes([0x0a, 0, 0, 9, 0, 0, 1, 0, 0xa1])])
S['indefinite'] = seed(0, [bytes([0x0a, 0, 0, 10, 0, 0, 1, 0]) + b'\xbf\x61d\x65hello\xff'])
S['emsgsize'] = seed(0x80, [msg(1, 2, 0, 0, {'d': 'x' * 700})])

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, '..', '..', 'fuzz', 'corpus', 'smp_request')
os.makedirs(out, exist_ok=True)
for k, v in S.items():
    with open(os.path.join(out, k), 'wb') as f:
        f.write(v)
print(len(S), 'seeds')
