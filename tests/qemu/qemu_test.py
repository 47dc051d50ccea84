#!/usr/bin/env python3
"""The firmware under QEMU, end to end (docs/qemu.md section 6).

  qemu_test.py system   --build DIR --lfmgr LFMGR [--qemu QEMU]
  qemu_test.py powercut --build DIR [--qemu QEMU] [--points N]

DIR is the qemu build's image directory parent (build-qemu/qemu): it holds
fw/bin/bootrom.elf and images/ (make_images.sh). Each step is asserted from
the UART log and lfmgr's output; the log of every run is kept in DIR/test-*/.
"""
import argparse
import json
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ports",
                                "qemu"))
from qemu_dev import Device  # noqa: E402
import nvm  # noqa: E402

APP_UP = r"app: up (\d+\.\d+\.\d+) on stage 1 s(\d) (\d+\.\d+\.\d+)\n(?:boot: .*\n)*app: smp ready"


class Failed(Exception):
    pass


class Run:
    def __init__(self, args, name):
        self.a = args
        self.dir = os.path.join(args.build, f"test-{name}")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.images = os.path.join(args.build, "images")
        self.bootrom = os.path.join(args.build, "fw", "bin", "bootrom.elf")
        self.nvm = os.path.join(self.dir, "nvm.bin")
        self.dev = None
        self.t0 = time.monotonic()

    def img(self, name):
        return os.path.join(self.images, name)

    def step(self, what):
        print(f"[{time.monotonic() - self.t0:6.1f}s] {what}", flush=True)

    def start(self, nvm_path=None, log="uart.log"):
        self.dev = Device(self.a.qemu, self.bootrom, nvm_path or self.nvm,
                          os.path.join(self.dir, log))
        self.dev.start()
        return self.dev

    def expect(self, pattern, since, timeout=30, what=None):
        m = self.dev.wait_for(pattern, since, timeout)
        if not m:
            tail = self.dev.text(since)[-1500:]
            raise Failed(f"{what or pattern!r}: not seen on the UART; log tail:\n{tail}")
        return m

    def app_up(self, since, version=None, slot=None, s1ver=None, timeout=30):
        m = self.expect(APP_UP, since, timeout, "the application's banner")
        got = (m.group(1), m.group(2), m.group(3))
        want = (version or got[0], str(slot) if slot is not None else got[1], s1ver or got[2])
        if got != want:
            raise Failed(f"booted app {got[0]} on stage 1 s{got[1]} {got[2]}, expected "
                         f"app {want[0]} on stage 1 s{want[1]} {want[2]}")
        return m

    def lfmgr(self, *argv, ok=True, timeout=120):
        cmd = [self.a.lfmgr, "--conn", f"serial:{self.dev.pty_name},baud=1000000", *argv]
        rc, out = self.dev.client(cmd, timeout)
        with open(os.path.join(self.dir, "lfmgr.log"), "a") as f:
            f.write(f"$ {' '.join(cmd)}\n{out}\n(exit {rc})\n")
        if ok and rc != 0:
            raise Failed(f"lfmgr {' '.join(argv)}: exit {rc}\n{out}")
        return rc, out

    def upload(self, image, *extra):
        _rc, out = self.lfmgr("--json", "image", "upload", image, *extra)
        m = re.search(r'"hash"\s*:\s*"([0-9a-f]{64})"', out)
        if not m:
            raise Failed(f"upload of {image}: no hash in lfmgr's output:\n{out}")
        return m.group(1)

    def image_list(self):
        _rc, out = self.lfmgr("--json", "image", "list")
        return json.loads(out[out.index("{"):out.rindex("}") + 1])

    def stop(self):
        if self.dev:
            self.dev.close()
            self.dev = None


def slot_of(state, image, slot):
    for s in state.get("images", []):
        if s.get("image", 0) == image and s.get("slot") == slot:
            return s
    return None


# ---- the system test ----------------------------------------------------------

def system(a):
    r = Run(a, "system")
    shutil.copy(r.img("factory.bin"), r.nvm)
    try:
        r.step("factory: boot to the application")
        d = r.start()
        r.expect(r"stage0: jump s0 1\.0\.0", 0)
        r.app_up(0, "1.0.0", 0, "1.0.0")
        _rc, out = r.lfmgr("echo", "hello")
        if "hello" not in out:
            raise Failed(f"echo: {out}")

        r.step("application 1.0.0 -> 2.0.0 through the NOR secondary: upload, test, reset, confirm")
        h = r.upload(r.img("app-2.0.0.signed.bin"))
        r.lfmgr("image", "test", h)
        m = d.mark()
        r.lfmgr("reset")
        r.expect(r"boot: swap-test done", m, 30, "stage 1 swapping the application")
        r.app_up(m, "2.0.0", 0, "1.0.0")
        st = r.image_list()
        s = slot_of(st, 0, 0)
        if not s or s.get("version") != "2.0.0" or s.get("confirmed"):
            raise Failed(f"after the swap: expected 2.0.0 on trial in image 0 slot 0: {st}")
        r.lfmgr("image", "confirm")
        st = r.image_list()
        s = slot_of(st, 0, 0)
        if not s or not s.get("confirmed"):
            raise Failed(f"confirm: image 0 slot 0 not confirmed: {st}")
        m = d.mark()
        r.lfmgr("reset")
        r.app_up(m, "2.0.0", 0, "1.0.0")

        r.step("stage 1 S0 -> S1 with lfmgr bootloader update")
        m = d.mark()
        r.lfmgr("bootloader", "update", r.img("stage1-1.1.0.lfup"), "--board", "qemu")
        r.expect(r"stage0: jump s1 1\.1\.0 at 0x00010200 \(trial\)", m, 30)
        r.app_up(m, "2.0.0", 1, "1.1.0")

        r.step("QEMU restarted on the same flash file: still stage 1 1.1.0 in S1")
        r.stop()
        d = r.start(log="uart-restart.log")
        r.expect(r"stage0: jump s1 1\.1\.0 at 0x00010200\n", 0)
        r.app_up(0, "2.0.0", 1, "1.1.0")
        st = r.image_list()
        s = slot_of(st, 1, 1)
        if not s or not s.get("active") or not s.get("confirmed"):
            raise Failed(f"image 1 slot 1 (S1) should be active and confirmed: {st}")

        r.step("stage 1 S1 -> S0 the SDK way: stage 1 1.2.0 for S0 uploaded to image 0")
        h = r.upload(r.img("stage1-1.2.0-s0.signed.bin"))
        r.lfmgr("image", "test", h)
        m = d.mark()
        r.lfmgr("reset")
        r.expect(r"stage1: stage 1 installed in s0: reset", m, 30)
        r.expect(r"stage0: jump s0 1\.2\.0 at 0x00004200 \(trial\)", m, 30)
        r.app_up(m, "2.0.0", 0, "1.2.0")

        r.step("serial recovery: application erased, stage 1 serves SMP (image list, refusals)")
        r.stop()
        nvm.erase(r.nvm, "app-primary")
        d = r.start(log="uart-recovery.log")
        r.expect(r"stage1: no valid application: serial recovery\n(.*\n)?stage1: smp ready", 0, 30)
        st = r.image_list()
        s = slot_of(st, 1, 0)
        if slot_of(st, 0, 0) or not s or s.get("version") != "1.2.0" or not s.get("active"):
            raise Failed(f"image list in recovery: expected no application and stage 1 1.2.0 "
                         f"active in S0: {st}")
        recovery_refusals(r, st)

        r.step("serial recovery: 3.0.0 uploaded into the primary slot (MCUboot's way), reset: boots")
        r.upload(r.img("app-3.0.0.signed.bin"))
        m = d.mark()
        r.lfmgr("reset")
        r.app_up(m, "3.0.0", 0, "1.2.0")
        s = slot_of(r.image_list(), 0, 0)
        if not s or s.get("version") != "3.0.0" or not s.get("confirmed"):
            raise Failed(f"after recovery: expected 3.0.0 confirmed in image 0 slot 0: {s}")

        r.step("serial recovery asked for by the application ('recovery' on the console)")
        m = d.mark()
        d.send(b"recovery\n")
        r.expect(r"stage1: serial recovery requested\nstage1: smp ready", m, 30)
        st = r.image_list()
        s = slot_of(st, 0, 0)
        if not s or s.get("version") != "3.0.0":
            raise Failed(f"image list in recovery: {st}")
        _rc, out = r.lfmgr("--json", "bootloader", "info", "--query", "recovery")
        if '"recovery": true' not in out:
            raise Failed(f"bootloader info recovery: {out}")
        # A valid application is there: no older one replaces it.
        refused(r, st, "an older application (2.0.0 over a valid 3.0.0)", 27,
                r.img("app-2.0.0.signed.bin"), "--force")
        m = d.mark()
        r.lfmgr("reset")
        r.app_up(m, "3.0.0", 0, "1.2.0")

        r.step("a fault (undefined instruction) is reported and resets the chain")
        m = d.mark()
        d.send(b"fault\n")
        r.expect(r"fault: UsageFault pc=[0-9a-f]{8} lr=[0-9a-f]{8} cfsr=00010000", m, 30)
        r.app_up(m, "3.0.0", 0, "1.2.0")
        r.step("ok")
        return 0
    finally:
        r.stop()


def flash_of(r):
    """The application's slots, S0 and S1 as they are in the flash file."""
    with open(r.nvm, "rb") as f:
        data = f.read()
    out = {}
    for area in ("s0", "s1", "app-primary", "app-secondary"):
        off, size = nvm.AREAS[area]
        out[area] = data[off:off + size]
    return out


def refused(r, before, what, rc, path, *extra):
    """Upload path in recovery: the device must answer image-group rc `rc`
    and leave the flash and the image list as they were."""
    flash = flash_of(r)
    code, out = r.lfmgr("image", "upload", path, *extra, ok=False)
    if code == 0 or not re.search(rf"group 1, rc {rc}\)", out):
        raise Failed(f"recovery upload of {what}: expected image group rc {rc}, got exit {code}:\n"
                     f"{out}")
    after = flash_of(r)
    changed = [a for a in flash if flash[a] != after[a]]
    if changed:
        raise Failed(f"recovery upload of {what}: refused, but {', '.join(changed)} changed")
    if r.image_list() != before:
        raise Failed(f"recovery upload of {what}: the image list changed")


def recovery_refusals(r, before):
    """What stage 1's recovery refuses before it writes a byte."""
    good = r.img("app-3.0.0.signed.bin")
    with open(good, "rb") as f:
        img = bytearray(f.read())
    bad_magic = os.path.join(r.dir, "bad-magic.bin")
    with open(bad_magic, "wb") as f:
        f.write(b"\x00" + img[1:])
    refused(r, before, "an image with a bad magic", 23, bad_magic, "--force")
    # The header says the image is longer than the file (hdr_size + img_size > len).
    short = os.path.join(r.dir, "short.bin")
    with open(short, "wb") as f:
        f.write(img[:len(img) // 2])
    refused(r, before, "a truncated image", 21, short, "--force")
    refused(r, before, "a stage-1 image (ROM-fixed at S0) to image 0", 25,
            r.img("stage1-1.2.0-s0.signed.bin"), "--force")
    refused(r, before, "an application to image 1", 9, good, "--image", "1", "--force")


# ---- power cuts ------------------------------------------------------------------

def prepare(r, name, image, expect_after):
    """From the factory file: upload image to image 0 and mark it for test;
    QEMU is then stopped. Returns (snapshot path, flash operations of the next
    boot up to the application)."""
    snap = os.path.join(r.dir, f"{name}.snapshot.bin")
    shutil.copy(r.img("factory.bin"), snap)
    r.dev = Device(r.a.qemu, r.bootrom, snap, os.path.join(r.dir, f"{name}-prepare.log"))
    r.dev.start()
    r.app_up(0, "1.0.0", 0, "1.0.0")
    h = r.upload(image)
    r.lfmgr("image", "test", h)
    r.dev.send(b"exit\n")
    if r.dev.wait_exit(10) != 0:
        raise Failed("the application did not exit")
    r.stop()
    # The reference run: the whole update, counting flash operations.
    ref = os.path.join(r.dir, f"{name}.ref.bin")
    shutil.copy(snap, ref)
    nvm.set_cut(ref, 0)
    r.dev = Device(r.a.qemu, r.bootrom, ref, os.path.join(r.dir, f"{name}-ref.log"))
    r.dev.start()
    expect_after(r, 0)
    r.dev.send(b"exit\n")
    r.dev.wait_exit(10)
    r.stop()
    return snap, nvm.ops(ref)


def cut_series(r, name, snap, total, points, check):
    # Spread over the whole update, first and last operations included.
    cuts = sorted({max(1, round(1 + i * (total - 1) / (points - 1))) for i in range(points)})
    outcomes = {}
    for k in cuts:
        path = os.path.join(r.dir, f"{name}.cut.bin")
        shutil.copy(snap, path)
        nvm.set_cut(path, k)
        log = os.path.join(r.dir, f"{name}-cut{k}.log")
        r.dev = Device(r.a.qemu, r.bootrom, path, log)
        r.dev.start()
        rc = r.dev.wait_exit(60)
        r.stop()
        if rc != 77:
            raise Failed(f"{name}: cut at operation {k}: QEMU ended with {rc}, expected the cut (77)")
        nvm.set_cut(path, 0)
        r.dev = Device(r.a.qemu, r.bootrom, path, log)
        r.dev.start()
        try:
            outcome = check(r, 0)
        finally:
            r.dev.send(b"exit\n")
            r.dev.wait_exit(10)
            r.stop()
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    r.step(f"{name}: {len(cuts)} cuts over {total} flash operations: " +
           ", ".join(f"{v}x {k}" for k, v in sorted(outcomes.items())))
    return len(cuts)


def powercut(a):
    r = Run(a, "powercut")
    try:
        def swap_done(r, since):
            r.app_up(since, "2.0.0", 0, "1.0.0")

        def swap_check(r, since):
            m = r.app_up(since, None, 0, "1.0.0")
            if m.group(1) not in ("1.0.0", "2.0.0"):
                raise Failed(f"app {m.group(1)} after a cut")
            return "completed" if m.group(1) == "2.0.0" else "reverted"

        r.step("application swap 1.0.0 -> 2.0.0: reference run")
        snap, total = prepare(r, "swap", r.img("app-2.0.0.signed.bin"), swap_done)
        r.step(f"application swap: {total} flash operations; cutting")
        n1 = cut_series(r, "swap", snap, total, a.points, swap_check)

        def sdk_done(r, since):
            r.app_up(since, "1.0.0", 1, "1.1.0")

        def sdk_check(r, since):
            m = r.app_up(since, "1.0.0")
            got = (m.group(2), m.group(3))
            if got not in (("0", "1.0.0"), ("1", "1.1.0")):
                raise Failed(f"stage 1 s{got[0]} {got[1]} after a cut")
            return "completed" if got[0] == "1" else "reverted"

        r.step("stage 1 S0 -> S1 the SDK way (copy by stage 1): reference run")
        snap, total = prepare(r, "sdk", r.img("stage1-1.1.0-s1.signed.bin"), sdk_done)
        r.step(f"SDK-path stage-1 copy: {total} flash operations; cutting")
        n2 = cut_series(r, "sdk", snap, total, a.points, sdk_check)
        r.step(f"ok: {n1 + n2} power cuts, every restart booted a valid chain")
        return 0
    finally:
        r.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["system", "powercut"])
    ap.add_argument("--build", required=True)
    ap.add_argument("--lfmgr", required=True)
    ap.add_argument("--qemu", default="qemu-system-arm")
    ap.add_argument("--points", type=int, default=12)
    a = ap.parse_args()
    a.build = os.path.abspath(a.build)
    try:
        return system(a) if a.what == "system" else powercut(a)
    except Failed as e:
        print(f"FAIL: {e}", flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
