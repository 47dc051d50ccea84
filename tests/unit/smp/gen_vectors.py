#!/usr/bin/env python3
"""Expected SMP messages for the image-group tests, from the shapes of
docs/reference/smp.md section 2.2, encoded by this small CBOR encoder (independent of
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


def state(ver, op, seq, ents):
    # the legacy shape too: Zephyr's img_mgmt_state.c adds no "rc" here
    return msg(ver, op, 1, seq, 0, {'images': ents, 'splitStatus': 0})


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
V['STATE_LEGACY'] = state(0, 1, 1, [ent(0, 0, '1.0.0', H_APP, c=True, a=True, legacy=True)])
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
V['ERR_WRITE_FAILED'] = err(1, 3, 2, 0, 12)
V['STATE_WITH_SECONDARY_APP2'] = state(1, 1, 1, [APP0, ent(0, 1, '1.1.0', H_APP2), S0])
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
# an uploaded stage 1 whose higher counter (6) needs a counter slot, none left
_, H_S1_CNT6 = img_make(1, 1, 0, 0, 2500, 4, ROM_FIXED, S1_ADDR, 6)
V['TEST_S1_CNT6'] = msg(1, 2, 1, 2, 0, {'hash': H_S1_CNT6})
V['TEST_S1_CNT6_V1'] = msg(0, 2, 1, 2, 0, {'hash': H_S1_CNT6})
V['ERR_NO_COUNTER_SLOT'] = err(1, 3, 2, 0, 15)
V['RC_ENOMEM_V1'] = msg(0, 3, 1, 2, 0, {'rc': 2})
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


# ---- upload (smp.md 2.2 id 1 and section 4; docs/smp-upload.md U1-U15) ----
# Requests carry the keys in the order the Go CLI and smpclient send them;
# only the first 64 bytes of an image unless the case needs it whole.
def up(ver, body, seq=0x10):
    return msg(ver, 2, 1, seq, 1, body)


def up_rsp(ver, body, seq=0x10):
    return msg(ver, 3, 1, seq, 1, body)


def up_err(rc, seq=0x10):
    return up_rsp(1, {'err': {'group': 1, 'rc': rc}}, seq)


APP_UP, _ = img_make(1, 1, 0, 0, 3000, 9)  # make_app(1, 3000) of the tests: 3072 bytes
APP_SAME, _ = img_make(1, 0, 0, 0, 3000, 9)  # the running version: refused with upgrade
APP_HUGE = bytearray(APP_UP[:64])
APP_HUGE[12:16] = struct.pack('<I', 0x71000)  # header payload beyond the slot's limit
APP_HUGE = bytes(APP_HUGE)
BAD_MAGIC = bytes([APP_UP[0] ^ 1]) + APP_UP[1:64]
SHA_APP_UP = hashlib.sha256(APP_UP).digest()
D = APP_UP[:64]
L = len(APP_UP)
UV = []  # (name, request, response)


def uv(name, req, rsp):
    V['UP_' + name] = req
    V['UP_' + name + '_RSP'] = rsp
    UV.append(name)


uv('OFF_MISSING', up(1, {'image': 0, 'len': L, 'data': D}), up_err(20))
uv('OFF_NOT_UINT', up(1, {'image': 0, 'len': L, 'off': '0', 'data': D}), up_rsp(1, {'rc': 3}))
uv('LEN_MISSING', up(1, {'image': 0, 'off': 0, 'sha': SHA_APP_UP, 'data': D}), up_err(21))
uv('LEN_MISSING_V1', up(0, {'image': 0, 'off': 0, 'data': D}), up_rsp(0, {'rc': 3}))
uv('SHORT_HEADER', up(1, {'image': 0, 'len': L, 'off': 0, 'data': D[:31]}), up_err(22))
uv('BAD_MAGIC', up(1, {'image': 0, 'len': L, 'off': 0, 'data': BAD_MAGIC}), up_err(23))
uv('SHA_TOO_LONG', up(1, {'image': 0, 'len': L, 'off': 0, 'sha': bytes(33), 'data': D}),
   up_err(24))
uv('NO_SUCH_IMAGE', up(1, {'image': 2, 'len': L, 'off': 0, 'data': D}), up_err(9))
uv('LEN_OVER_SLOT', up(1, {'image': 0, 'len': 0x73001, 'off': 0, 'data': D}), up_err(30))
uv('LEN_OVER_SLOT_V1', up(0, {'image': 0, 'len': 0x73001, 'off': 0, 'data': D}),
   up_rsp(0, {'rc': 1}))
uv('LEN_OVER_TRAILER', up(1, {'image': 0, 'len': 0x71001, 'off': 0, 'data': D}), up_err(30))
uv('HEADER_TOO_BIG', up(1, {'image': 0, 'len': L, 'off': 0, 'data': APP_HUGE}), up_err(30))
uv('LEN_SHORT_OF_IMAGE', up(1, {'image': 0, 'len': 32 + 3000 + 3, 'off': 0, 'data': D}),
   up_err(21))
uv('DATA_OVER_LEN', up(1, {'image': 0, 'len': 48, 'off': 0, 'data': D}), up_err(31))
uv('UPGRADE_SAME', up(1, {'image': 0, 'len': L, 'off': 0, 'upgrade': True,
                          'data': APP_SAME[:64]}), up_err(27))
uv('UPGRADE_SAME_V1', up(0, {'image': 0, 'len': L, 'off': 0, 'upgrade': True,
                             'data': APP_SAME[:64]}), up_rsp(0, {'rc': 6}))
# a session: first chunk, wrong offsets, overrun, resume, last chunk
uv('FIRST', up(1, {'image': 0, 'len': L, 'off': 0, 'sha': SHA_APP_UP, 'data': APP_UP[:1024]}),
   up_rsp(1, {'off': 1024}))
uv('AHEAD', up(1, {'image': 0, 'off': 2048, 'data': APP_UP[2048:2048 + 64]}),
   up_rsp(1, {'off': 1024}))
uv('BEHIND', up(1, {'off': 512, 'data': APP_UP[512:512 + 64]}), up_rsp(1, {'off': 1024}))
uv('OVERRUN', up(1, {'off': 1024, 'data': APP_UP[1024:] + bytes(1)}), up_err(31))
uv('RESUME', up(1, {'image': 0, 'len': L, 'off': 0, 'sha': SHA_APP_UP, 'data': D}),
   up_rsp(1, {'off': 1024}))
uv('SECOND', up(1, {'image': 0, 'off': 1024, 'data': APP_UP[1024:2048]}), up_rsp(1, {'off': 2048}))
uv('LAST', up(1, {'image': 0, 'off': 2048, 'data': APP_UP[2048:]}),
   up_rsp(1, {'off': L, 'match': True}))
uv('LAST_LEGACY', up(0, {'image': 0, 'off': 2048, 'data': APP_UP[2048:]}),
   up_rsp(0, {'rc': 0, 'off': L}))  # Zephyr's img_mgmt.c: "rc" before "off"
uv('NO_SESSION', up(1, {'off': 1024, 'data': APP_UP[1024:1088]}), up_rsp(1, {'off': 0}))
uv('EARLY_MATCH', up(1, {'image': 0, 'len': L, 'off': 0, 'sha': SHA_APP_UP, 'data': D}),
   up_rsp(1, {'off': L, 'match': True}))
# image 1 (S0 active, stored counter 5)
S1_UP, _ = img_make(1, 1, 0, 0, 100, 4, ROM_FIXED, S1_ADDR, 5)
S1_FOR_S0, _ = img_make(1, 1, 0, 0, 100, 4, ROM_FIXED, S0_ADDR, 5)
S1_NOT_FIXED, _ = img_make(1, 1, 0, 0, 100, 4, 0, S1_ADDR, 5)
S1_SAME, _ = img_make(1, 0, 0, 0, 100, 4, ROM_FIXED, S1_ADDR, 5)
S1_LOW, _ = img_make(1, 1, 0, 0, 100, 4, ROM_FIXED, S1_ADDR, 4)
S1_HIGH, _ = img_make(1, 1, 0, 0, 100, 4, ROM_FIXED, S1_ADDR, 6)


def s1(img, ver=1):
    return up(ver, {'image': 1, 'len': len(img), 'off': 0, 'data': img})


uv('S1_WRONG_VARIANT', s1(S1_FOR_S0), up_err(25))
uv('S1_WRONG_VARIANT_V1', s1(S1_FOR_S0, 0), up_rsp(0, {'rc': 3}))
uv('S1_NOT_ROM_FIXED', s1(S1_NOT_FIXED), up_err(25))
uv('S1_NOT_NEWER', s1(S1_SAME), up_err(27))
uv('S1_COUNTER_LOW', s1(S1_LOW), up_err(27))
uv('S1_COUNTER_LOW_V1', s1(S1_LOW, 0), up_rsp(0, {'rc': 6}))
uv('S1_COMPLETE', s1(S1_UP), up_rsp(1, {'off': len(S1_UP)}))
uv('S1_HIGH', s1(S1_HIGH), up_rsp(1, {'off': len(S1_HIGH)}))
# ... the active stage 1 on trial; no handoff; no counter slot left
uv('S1_ON_TRIAL', s1(S1_UP), up_err(9))
uv('S1_NO_HANDOFF', s1(S1_UP), up_err(34))
uv('S1_NO_HANDOFF_V1', s1(S1_UP, 0), up_rsp(0, {'rc': 1}))
uv('S1_COUNTER_FULL', s1(S1_HIGH), up_err(15))
uv('S1_COUNTER_FULL_V1', s1(S1_HIGH, 0), up_rsp(0, {'rc': 2}))


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
