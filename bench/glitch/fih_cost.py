#!/usr/bin/env python3
"""Flash and boot-time cost of the fault-injection hardening (LF_FIH), per image.

  bench/glitch/fih_cost.py --off build-glitch-off --on build-glitch-on

Both build trees are configured with -DLF_QEMU=ON, one with -DLF_FIH=OFF and
one with -DLF_FIH=ON, from the same sources. Flash is text + data of each
image's ELF (arm-none-eabi-size). Boot time is in instructions retired
(QEMU -icount shift=0, the boot clock at 40 instructions a tick, as in
bench/qemu/boot_bench.py) on each tree's factory-bench flash file: stage 0
validating stage 1 (~41 KB), stage 1 validating a 256 KiB application.
Prints a markdown table (docs/glitch.md, "Campaign").
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "qemu"))
from qemu_dev import Device  # noqa: E402

NS_PER_TICK = 40
IMAGES = [("stage0", "stage 0"), ("stage1-s0", "stage 1 (S0 build)"), ("smp-app", "application")]


def flash(elf):
    out = subprocess.run(["arm-none-eabi-size", elf], capture_output=True, text=True,
                         check=True).stdout.splitlines()[1].split()
    return int(out[0]) + int(out[1])


def boot(build, qemu):
    q = os.path.join(os.path.abspath(build), "qemu")
    work = tempfile.mkdtemp(prefix="lf-fih-bench-")
    nvm = os.path.join(work, "nvm.bin")
    shutil.copy(os.path.join(q, "images", "factory-bench.bin"), nvm)
    d = Device(qemu, os.path.join(q, "fw", "bin", "bootrom.elf"), nvm,
               os.path.join(work, "uart.log"), icount=True)
    d.start()
    try:
        m = d.wait_for(r"boot: ticks s0-main (\d+) s0-jump (\d+) s1-main (\d+) s1-jump (\d+) "
                       r"app-main (\d+)", 0, 120)
        if not m:
            raise SystemExit(f"bench: {build} did not boot:\n" + d.text()[-2000:])
        t = [int(x) * NS_PER_TICK for x in m.groups()]
        u = d.wait_for(r"boot: stage0 stack (\d+) ram (\d+), stage1 stack (\d+) ram (\d+)", 0, 10)
        st = [int(x) for x in u.groups()] if u else [0, 0, 0, 0]
        d.send(b"exit\n")
        d.wait_exit(10)
    finally:
        d.close()
        shutil.rmtree(work, ignore_errors=True)
    return {"stage 0 (main to jump)": t[1] - t[0], "stage 1 (main to jump)": t[3] - t[2],
            "reset to the application's main": t[4], "stage 0 stack used (B)": st[0],
            "stage 1 stack used (B)": st[2]}


def pct(a, b):
    return f"{100.0 * (b - a) / a:+.1f}%" if a else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--off", required=True, help="build tree with -DLF_FIH=OFF")
    ap.add_argument("--on", required=True, help="build tree with -DLF_FIH=ON")
    ap.add_argument("--qemu", default="qemu-system-arm")
    a = ap.parse_args()
    print("| image | flash, LF_FIH=OFF (B) | flash, LF_FIH=ON (B) | cost (B) | cost |")
    print("|---|---:|---:|---:|---:|")
    for name, label in IMAGES:
        off = flash(os.path.join(a.off, "qemu", "fw", "bin", name + ".elf"))
        on = flash(os.path.join(a.on, "qemu", "fw", "bin", name + ".elf"))
        print(f"| {label} | {off:,} | {on:,} | {on - off:+,} | {pct(off, on)} |")
    b_off, b_on = boot(a.off, a.qemu), boot(a.on, a.qemu)
    print("\n| boot (factory-bench: 41 KB stage 1, 256 KiB application) | instructions, OFF | "
          "instructions, ON | cost | cost |")
    print("|---|---:|---:|---:|---:|")
    for k in b_off:
        print(f"| {k} | {b_off[k]:,} | {b_on[k]:,} | {b_on[k] - b_off[k]:+,} | "
              f"{pct(b_off[k], b_on[k])} |")
    print("\n(-icount shift=0: 1 instruction = 1 ns of virtual time; resolution 40 instructions.")
    print("Each stage measures its stack just before its jump by scanning the painted stack up")
    print("to the first changed word: a deeper stack is a shorter scan, so a stage that uses")
    print("more stack can take fewer instructions; compare the stack rows.)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
