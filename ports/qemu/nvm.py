#!/usr/bin/env python3
"""The QEMU port's flash file (nvm.bin, 16 MiB, QEMU's file-backed PSRAM).

Layout (ports/qemu/qemu_nvm.h; areas: boards/qemu.def):
  0x000000  internal flash, 1 MiB (executes in place from the window at 0)
  0x100000  external NOR, 8 MiB
  0x900000  provision OTP, 4 KiB
  0x901000  power-cut control: magic "LFQC", cut_at, ops (little-endian u32)
Everything else is 0xFF, as erased flash.

  nvm.py factory OUT --stage0 BIN --s0 SIGNED --app SIGNED --provision BIN
  nvm.py cut FILE N        cut power at the N-th flash operation (0: never); zero the count
  nvm.py ops FILE          print the flash operations counted so far
  nvm.py erase FILE AREA   erase an area (s0, s1, app-primary, app-secondary)
"""
import struct
import sys

SIZE = 16 * 1024 * 1024
INTERNAL, NOR, OTP, CTRL = 0x000000, 0x100000, 0x900000, 0x901000
CTRL_MAGIC = 0x4351464C
# device offset in the file + area offset, size (boards/qemu.def)
AREAS = {
    "stage0": (INTERNAL + 0x00000, 0x04000),
    "s0": (INTERNAL + 0x04000, 0x0C000),
    "s1": (INTERNAL + 0x10000, 0x0C000),
    "state": (INTERNAL + 0x1C000, 0x02000),
    "scratch": (INTERNAL + 0x1E000, 0x02000),
    "app-primary": (INTERNAL + 0x20000, 0xDE000),
    "app-secondary": (NOR + 0x000000, 0xDE000),
    "smp-state": (INTERNAL + 0xFE000, 0x02000),
    "provision": (OTP, 0x1000),
}


def place(img, area, data):
    off, size = AREAS[area]
    if len(data) > size:
        raise SystemExit(f"nvm.py: {len(data)} bytes do not fit {area} ({size})")
    img[off:off + len(data)] = data


def factory(out, stage0, s0, app, provision):
    img = bytearray(b"\xff" * SIZE)
    for area, path in (("stage0", stage0), ("s0", s0), ("app-primary", app),
                       ("provision", provision)):
        with open(path, "rb") as f:
            place(img, area, f.read())
    img[CTRL:CTRL + 16] = struct.pack("<IIII", CTRL_MAGIC, 0, 0, 0)
    with open(out, "wb") as f:
        f.write(img)


def set_cut(path, n):
    with open(path, "r+b") as f:
        f.seek(CTRL)
        f.write(struct.pack("<III", CTRL_MAGIC, n, 0))


def ops(path):
    with open(path, "rb") as f:
        f.seek(CTRL)
        magic, _cut, n = struct.unpack("<III", f.read(12))
    return n if magic == CTRL_MAGIC else 0


def erase(path, area):
    off, size = AREAS[area]
    with open(path, "r+b") as f:
        f.seek(off)
        f.write(b"\xff" * size)


def main(argv):
    if len(argv) >= 2 and argv[1] == "factory":
        a = {argv[i]: argv[i + 1] for i in range(3, len(argv) - 1, 2)}
        factory(argv[2], a["--stage0"], a["--s0"], a["--app"], a["--provision"])
    elif len(argv) == 4 and argv[1] == "cut":
        set_cut(argv[2], int(argv[3], 0))
    elif len(argv) == 3 and argv[1] == "ops":
        print(ops(argv[2]))
    elif len(argv) == 4 and argv[1] == "erase":
        erase(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
