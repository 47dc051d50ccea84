#!/usr/bin/env python3
"""Expected SMP messages for the image-group tests, from the shapes of
spec/smp.md section 2.2, encoded by this small CBOR encoder (independent of
the C codec under test). Writes smp_vectors.h next to this script:

    python3 tests/unit/smp/gen_vectors.py

The test images are rebuilt here exactly as img_make() builds them in
smp_fixture.c (header, deterministic payload, SEC_CNT, SHA256 TLV), so the
hashes in the vectors are computed independently too."""
import hashlib
import os
import struct


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    if n < 65536:
        return bytes([major << 5 | 25]) + struct.pack('>H', n)
    return bytes([major << 5 | 26]) + struct.pack('>I', n)


def enc(v):
    if v is True:
        return b'\xf5'
    if v is False:
        return b'\xf4'
    if v is None:
        return b'\xf6'
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        return head(3, len(v.encode())) + v.encode()
    if isinstance(v, list):
        return head(4, len(v)) + b''.join(enc(x) for x in v)
    if isinstance(v, dict):
        return head(5, len(v)) + b''.join(enc(k) + enc(x) for k, x in v.items())
    raise TypeError(v)


def msg(ver, op, group, seq, cid, body):
    p = enc(body)
    return bytes([ver << 3 | op, 0]) + struct.pack('>HHBB', len(p), group, seq, cid) + p


def img_make(major, minor, rev, build, payload, seed, flags=0, load_addr=0, sec_cnt=None):
    prot = 12 if sec_cnt is not None else 0
    out = struct.pack('<IIHHII', 0x96f3b83d, load_addr, 32, prot, payload, flags)
    out += struct.pack('<BBHI', major, minor, rev, build) + b'\0' * 4
    out += bytes(((seed + i * 7 + (i >> 8)) & 0xff) for i in range(payload))
    if prot:
        out += struct.pack('<HHHHI', 0x6908, 12, 0x50, 4, sec_cnt)
    d = hashlib.sha256(out).digest()
    return out + struct.pack('<HHHH', 0x6907, 40, 0x10, 32) + d, d


ROM_FIXED = 0x100
S0_ADDR, S1_ADDR = 0x4000, 0xC000
# The images of the tests (same parameters as the C tests use).
_, H_APP = img_make(1, 0, 0, 0, 3000, 1)
_, H_S0 = img_make(1, 0, 0, 0, 2000, 2, ROM_FIXED, S0_ADDR, 5)
_, H_APP2 = img_make(1, 1, 0, 0, 5000, 3)
_, H_S1 = img_make(1, 1, 0, 0, 2500, 4, ROM_FIXED, S1_ADDR, 5)
_, H_S1_OLD = img_make(0, 9, 0, 0, 2500, 4, ROM_FIXED, S1_ADDR, 5)


def ent(image, slot, ver, h, p=False, c=False, a=False, perm=False, legacy=False):
    d = {} if legacy else {'image': image}
    d.update({'slot': slot, 'version': ver, 'hash': h, 'bootable': True, 'pending': p,
              'confirmed': c, 'active': a, 'permanent': perm})
    return d


def state(ver, op, seq, ents, legacy=False):
    b = {'images': ents, 'splitStatus': 0}
    if legacy:
        b['rc'] = 0
    return msg(ver, op, 1, seq, 0, b)


APP0 = ent(0, 0, '1.0.0', H_APP, c=True, a=True)
S0 = ent(1, 0, '1.0.0', H_S0, c=True, a=True)


def err(ver, op, seq, cid, rc):
    return msg(ver, op, 1, seq, cid, {'err': {'group': 1, 'rc': rc}})


V = {}
# state read
V['STATE_READ'] = msg(1, 0, 1, 1, 0, {})
V['STATE_DEFAULT'] = state(1, 1, 1, [APP0, S0])
V['STATE_IMAGE0_ONLY'] = state(1, 1, 1, [APP0])
V['STATE_READ_V1'] = msg(0, 0, 1, 1, 0, {})
V['STATE_LEGACY'] = state(0, 1, 1, [ent(0, 0, '1.0.0', H_APP, c=True, a=True, legacy=True)], True)
V['STATE_WITH_SECONDARIES'] = state(1, 1, 1, [APP0, ent(0, 1, '1.1.0', H_APP2), S0,
                                              ent(1, 1, '1.1.0', H_S1)])
# state write, image 0
V['TEST_APP2'] = msg(1, 2, 1, 2, 0, {'hash': H_APP2})
V['CONFIRM_APP2'] = msg(1, 2, 1, 2, 0, {'hash': H_APP2, 'confirm': True})
V['STATE_APP2_PENDING'] = state(1, 3, 2, [APP0, ent(0, 1, '1.1.0', H_APP2, p=True), S0])
V['STATE_APP2_PERMANENT'] = state(1, 3, 2, [APP0, ent(0, 1, '1.1.0', H_APP2, p=True, perm=True),
                                            S0])
V['ERR_ALREADY_PENDING'] = err(1, 3, 2, 0, 28)
V['TEST_NO_HASH'] = msg(1, 2, 1, 2, 0, {})
V['TEST_SHORT_HASH'] = msg(1, 2, 1, 2, 0, {'hash': H_APP2[:31]})
V['ERR_INVALID_HASH'] = err(1, 3, 2, 0, 24)
V['TEST_UNKNOWN_HASH'] = msg(1, 2, 1, 2, 0, {'hash': bytes(32)})
V['ERR_HASH_NOT_FOUND'] = err(1, 3, 2, 0, 8)
V['TEST_APP'] = msg(1, 2, 1, 2, 0, {'hash': H_APP})
V['ERR_TEST_ACTIVE'] = err(1, 3, 2, 0, 33)
V['TEST_APP_V1'] = msg(0, 2, 1, 2, 0, {'hash': H_APP})
V['RC_EUNKNOWN_V1'] = msg(0, 3, 1, 2, 0, {'rc': 1})
V['CONFIRM_EMPTY'] = msg(1, 2, 1, 2, 0, {'hash': b'', 'confirm': True})
V['CONFIRM_NULL'] = msg(1, 2, 1, 2, 0, {'hash': None, 'confirm': True})
V['CONFIRM_NOHASH'] = msg(1, 2, 1, 2, 0, {'confirm': True})
V['CONFIRM_APP'] = msg(1, 2, 1, 2, 0, {'hash': H_APP, 'confirm': True})
V['STATE_DEFAULT_W'] = state(1, 3, 2, [APP0, S0])
# revert pending: primary on trial, secondary the old image
V['STATE_REVERT'] = state(1, 1, 1, [ent(0, 0, '1.0.0', H_APP, a=True),
                                    ent(0, 1, '1.1.0', H_APP2, c=True), S0])
V['STATE_REVERT_CONFIRMED_W'] = state(1, 3, 2, [APP0, ent(0, 1, '1.1.0', H_APP2), S0])
# bad trailer in the secondary
V['ERR_BAD_MAGIC'] = err(1, 3, 2, 0, 23)
# state write, image 1 (S1 uploaded with the "upload in progress" mark)
V['TEST_S1'] = msg(1, 2, 1, 2, 0, {'hash': H_S1})
V['CONFIRM_S1'] = msg(1, 2, 1, 2, 0, {'hash': H_S1, 'confirm': True})
V['TEST_S0'] = msg(1, 2, 1, 2, 0, {'hash': H_S0})
V['CONFIRM_S0'] = msg(1, 2, 1, 2, 0, {'hash': H_S0, 'confirm': True})
V['STATE_S1_UPLOADED'] = state(1, 1, 1, [APP0, S0, ent(1, 1, '1.1.0', H_S1)])
V['STATE_S1_PENDING_W'] = state(1, 3, 2, [APP0, S0, ent(1, 1, '1.1.0', H_S1, p=True)])
V['STATE_S1_UPLOADED_W'] = state(1, 3, 2, [APP0, S0, ent(1, 1, '1.1.0', H_S1)])
V['ERR_CONFIRM_DENIED'] = err(1, 3, 2, 0, 32)
V['ERR_UNKNOWN'] = err(1, 3, 2, 0, 1)
V['ERR_NOT_NEWER'] = err(1, 3, 2, 0, 27)
# S0 on trial: S1 (an older confirmed image) is its fallback
V['STATE_S0_TRIAL'] = state(1, 1, 1, [APP0, ent(1, 0, '1.0.0', H_S0, a=True),
                                      ent(1, 1, '0.9.0', H_S1_OLD, c=True)])
# slot info (nrf52840dk: app slots 0x73000, S slots 0x8000; swap-move limit
# 0x73000 - 2 sectors; S-slot limit = swap_size offset)
V['SLOT_INFO_REQ'] = msg(1, 0, 1, 3, 6, {})
V['SLOT_INFO'] = msg(1, 1, 1, 3, 6, {'images': [
    {'image': 0, 'slots': [{'slot': 0, 'size': 0x73000},
                           {'slot': 1, 'size': 0x73000, 'upload_image_id': 0}],
     'max_image_size': 0x71000},
    {'image': 1, 'slots': [{'slot': 0, 'size': 0x8000},
                           {'slot': 1, 'size': 0x8000, 'upload_image_id': 1}],
     'max_image_size': 0x8000 - 48}]})
V['SLOT_INFO_S1_ACTIVE'] = msg(1, 1, 1, 3, 6, {'images': [
    {'image': 0, 'slots': [{'slot': 0, 'size': 0x73000},
                           {'slot': 1, 'size': 0x73000, 'upload_image_id': 0}],
     'max_image_size': 0x71000},
    {'image': 1, 'slots': [{'slot': 0, 'size': 0x8000, 'upload_image_id': 1},
                           {'slot': 1, 'size': 0x8000}],
     'max_image_size': 0x8000 - 48}]})
V['SLOT_INFO_NO_HANDOFF'] = msg(1, 1, 1, 3, 6, {'images': [
    {'image': 0, 'slots': [{'slot': 0, 'size': 0x73000},
                           {'slot': 1, 'size': 0x73000, 'upload_image_id': 0}],
     'max_image_size': 0x71000}]})
V['SLOT_INFO_LEGACY_REQ'] = msg(0, 0, 1, 3, 6, {})


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    lines = ['/* Generated by gen_vectors.py: expected SMP messages (hex). Do not edit. */',
             '#ifndef SMP_VECTORS_H', '#define SMP_VECTORS_H', '', '/* clang-format off */']
    for k, v in V.items():
        h = ' '.join('%02x' % b for b in v)
        parts = [h[i:i + 84] for i in range(0, len(h), 84)]
        lines.append('#define V_%s \\' % k)
        lines += ['    "%s " \\' % p.strip() for p in parts[:-1]]
        lines.append('    "%s"' % parts[-1].strip())
    lines += ['/* clang-format on */', '', '#endif', '']
    with open(os.path.join(here, 'smp_vectors.h'), 'w') as f:
        f.write('\n'.join(lines))


if __name__ == '__main__':
    main()
