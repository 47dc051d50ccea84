#!/usr/bin/env python3
"""Boot cost of the real chain on the qemu board, in instructions retired.

  bench/qemu/boot_bench.py [--build build-qemu/qemu] [--lfmgr build-qemu/bin/lfmgr]

QEMU runs with -icount shift=0: the virtual clock advances exactly 1 ns per
instruction retired, so it is repeatable and independent of the host. The
boot clock is the CMSDK timer 0 at the 25 MHz system clock, started from 0 by
the boot-ROM shim at its jump into stage 0 (the shim's copy of the flash is
not counted): 1 tick = 40 instructions, which is the resolution.

The factory-bench flash file holds stage 0, stage 1 1.0.0 in S0 and a 256 KiB
application (make_images.sh), so stage 0 validates stage 1 (P-256, SHA-256 of
~40 KB) and stage 1 validates 256 KiB. Stack use is measured by painting
(ports/cortex-m): each stage's deepest stack at its jump; the application's
after an upload of a signed image to its secondary slot (the SMP server's
deepest path, with the upload check). Static RAM is .data + .bss + .noinit.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "qemu"))
from qemu_dev import Device  # noqa: E402

NS_PER_TICK = 40  # 25 MHz timer; 1 instruction per ns with -icount shift=0


def sizes(elf):
    out = subprocess.run(["arm-none-eabi-size", elf], capture_output=True, text=True,
                         check=True).stdout.splitlines()[1].split()
    return int(out[0]) + int(out[1])


def main():
    root = os.path.abspath(os.path.join(HERE, "..", ".."))
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(root, "build-qemu", "qemu"))
    ap.add_argument("--lfmgr", default=os.path.join(root, "build-qemu", "bin", "lfmgr"))
    ap.add_argument("--qemu", default="qemu-system-arm")
    a = ap.parse_args()
    fw = os.path.join(a.build, "fw", "bin")
    work = tempfile.mkdtemp(prefix="lf-bench-")
    nvm = os.path.join(work, "nvm.bin")
    shutil.copy(os.path.join(a.build, "images", "factory-bench.bin"), nvm)
    d = Device(a.qemu, os.path.join(fw, "bootrom.elf"), nvm, os.path.join(work, "uart.log"),
               icount=True)
    d.start()
    try:
        m = d.wait_for(r"boot: ticks s0-main (\d+) s0-jump (\d+) s1-main (\d+) s1-jump (\d+) "
                       r"app-main (\d+)", 0, 60)
        u = d.wait_for(r"boot: stage0 stack (\d+) ram (\d+), stage1 stack (\d+) ram (\d+)", 0, 10)
        if not m or not u or not d.wait_for(r"app: smp ready", 0, 10):
            print("bench: the device did not boot:\n" + d.text()[-2000:])
            return 1
        t = [int(x) * NS_PER_TICK for x in m.groups()]
        s0_stack, s0_ram, s1_stack, s1_ram = (int(x) for x in u.groups())
        conn = f"serial:{d.pty_name},baud=115200"
        rc, out = d.client([a.lfmgr, "--conn", conn, "image", "upload",
                            os.path.join(a.build, "images", "app-2.0.0.signed.bin")], 300)
        if rc != 0:
            print(f"bench: upload failed: {out}")
            return 1
        mark = d.mark()
        d.send(b"stats\n")
        st = d.wait_for(r"app: stack (\d+) of (\d+) bytes, static ram (\d+) bytes", mark, 20)
        if not st:
            print("bench: no stats from the application")
            return 1
        app_stack, _app_stack_size, app_ram = (int(x) for x in st.groups())
        d.send(b"exit\n")
        d.wait_exit(10)
    finally:
        d.close()
    total = t[4]
    rows = [
        ("stage 0 startup (reset handler: .data, .bss, stack paint)", t[0]),
        ("stage 0: provision read, S0/S1 headers, validate stage 1 (P-256)", t[1] - t[0]),
        ("stage 1 startup", t[2] - t[1]),
        ("stage 1: engine, validate the 256 KiB application (P-256)", t[3] - t[2]),
        ("application startup up to main", t[4] - t[3]),
    ]
    print("Boot from reset to the application's main (qemu board, -icount shift=0, "
          "resolution 40 instructions)\n")
    print("| part | instructions | share |")
    print("|---|---:|---:|")
    for name, n in rows:
        print(f"| {name} | {n:,} | {100.0 * n / total:.1f}% |")
    print(f"| **total** | **{total:,}** | 100% |")
    print(f"\nAt 64 MHz and 1 instruction per cycle (an nRF52840 lower bound, flash wait "
          f"states ignored): {total / 64e6 * 1e3:.1f} ms.\n")
    print("| image | flash (B) | static RAM (B) | stack, measured (B) |")
    print("|---|---:|---:|---:|")
    print(f"| stage0 | {sizes(os.path.join(fw, 'stage0.elf')):,} | {s0_ram:,} | {s0_stack:,} |")
    print(f"| stage1 (S0 build) | {sizes(os.path.join(fw, 'stage1-s0.elf')):,} | {s1_ram:,} | "
          f"{s1_stack:,} |")
    print(f"| smp-app | {sizes(os.path.join(fw, 'smp-app.elf')):,} | {app_ram:,} | "
          f"{app_stack:,} (after an upload) |")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
