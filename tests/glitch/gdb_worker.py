# One worker of the fault campaign (docs/glitch.md, "Campaign"). Runs inside
# gdb-multiarch (-batch -x gdb_worker.py); campaign.py writes the job file
# named by GLITCH_JOB and reads the result file (one JSON line per fault).
#
# One QEMU per worker (gdbstub on the worker's port, the case's flash file
# mapped private so no run changes it), run once to the window's first
# instruction and saved there (savevm into a scratch qcow2). For each fault:
# loadvm, a breakpoint on the fault's instruction ignored until its n-th
# execution since the window opened, the fault applied there (the
# instruction skipped, or its branch decision inverted), then the run
# continued until one of the outcome addresses or the time limit. A run in
# which QEMU exits starts a new QEMU and snapshot for the next fault.
import json
import os
import re
import signal
import struct
import subprocess
import threading
import time

import gdb  # noqa: F401  (provided by gdb)

JOB = json.load(open(os.environ["GLITCH_JOB"]))


def ex(cmd):
    return gdb.execute(cmd, to_string=True)


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFF


def set_reg(name, value):
    ex("set $%s = %d" % (name, value & 0xFFFFFFFF))


def read_u32(addr):
    m = gdb.selected_inferior().read_memory(addr, 4)
    return int.from_bytes(bytes(m), "little")


def read_bytes(addr, n):
    return bytes(gdb.selected_inferior().read_memory(addr, n))


def cond_holds(cond, xpsr):
    n, z, c, v = (xpsr >> 31) & 1, (xpsr >> 30) & 1, (xpsr >> 29) & 1, (xpsr >> 28) & 1
    base = cond >> 1
    r = [z == 1, c == 1, n == 1, v == 1, c == 1 and z == 0, n == v, n == v and z == 0, True][base]
    if cond & 1 and cond != 0xF:
        r = not r
    return r


def it_state(xpsr):
    return ((xpsr >> 25) & 3) | (((xpsr >> 10) & 0x3F) << 2)


def with_it(xpsr, it):
    xpsr &= ~((3 << 25) | (0x3F << 10))
    return xpsr | ((it & 3) << 25) | (((it >> 2) & 0x3F) << 10)


def it_advance(it):
    # ITAdvance(): the state after one instruction of the block.
    if it & 7 == 0:
        return 0
    return (it & 0xE0) | ((it << 1) & 0x1F)


def apply_fault(f):
    """Apply the fault at the stopped instruction; returns a note."""
    pc = reg("pc")
    xpsr = reg("xpsr")
    kind = f["kind"]
    if JOB["model"] == "skip":
        it = it_state(xpsr)
        if it:
            set_reg("xpsr", with_it(xpsr, it_advance(it)))
        set_reg("pc", pc + f["len"])
        return "skipped"
    # model "branch": the decision of a conditional instruction inverted
    if kind == "bcc":
        taken = cond_holds(f["cond"], xpsr)
        set_reg("pc", pc + f["len"] if taken else f["target"])
        return "taken->fall" if taken else "fall->taken"
    if kind == "cbz":
        val = reg("r%d" % f["rn"])
        taken = (val == 0) != f["nz"]
        set_reg("pc", pc + f["len"] if taken else f["target"])
        return "taken->fall" if taken else "fall->taken"
    if kind == "it":
        first, mask = f["firstcond"], f["mask"]
        low = mask & -mask
        flip = 0xF & ~((low << 1) - 1)  # mask bits above the terminating 1
        new = ((first ^ 1) << 4) | (mask ^ flip)
        set_reg("xpsr", with_it(xpsr, new))
        set_reg("pc", pc + 2)
        return "it inverted"
    raise RuntimeError("unknown kind " + kind)


class Watchdog:
    def __init__(self, seconds):
        self.fired = False
        self.t = threading.Timer(seconds, self.fire)

    def fire(self):
        self.fired = True
        os.kill(os.getpid(), signal.SIGINT)

    def __enter__(self):
        self.t.start()
        return self

    def __exit__(self, *a):
        self.t.cancel()


def cont(limit):
    """Continue; returns ('stop', pc), ('exit', code) or ('timeout', pc)."""
    with Watchdog(limit) as w:
        try:
            out = ex("continue")
        except gdb.error as e:
            out = str(e)
        except KeyboardInterrupt:
            out = "interrupted"
    m = re.search(r"exited with code (\d+)", out)
    if m:
        return ("exit", int(m.group(1), 8))
    if "exited normally" in out:
        return ("exit", 0)
    if "Remote connection closed" in out:
        return ("exit", None)
    try:
        pc = reg("pc")
    except gdb.error:
        return ("exit", None)
    return ("timeout" if w.fired and pc not in OUTCOME else "stop", pc)


OUTCOME_BASE = {}  # address -> outcome name
for name, addrs in JOB["outcomes"].items():
    for a in addrs:
        OUTCOME_BASE[a] = name
OUTCOME = dict(OUTCOME_BASE)


def make_qcow2(path, size=1 << 20):
    """An empty qcow2 image (v3, 64 KiB clusters) to hold QEMU's snapshot:
    the board has no disk, and savevm needs one that can take snapshots."""
    cs = 1 << 16
    hdr = struct.pack(">IIQIIQIIQQIIQ", 0x514649FB, 3, 0, 0, 16, size, 0, 1, 3 * cs, cs, 1, 0, 0)
    hdr += struct.pack(">QQQII", 0, 0, 0, 4, 104)
    img = bytearray(4 * cs)
    img[0:len(hdr)] = hdr
    struct.pack_into(">Q", img, cs, 2 * cs)  # refcount table -> the block in cluster 2
    for i in range(4):
        struct.pack_into(">H", img, 2 * cs + 2 * i, 1)
    with open(path, "wb") as f:
        f.write(img)


class Session:
    """One QEMU, stopped by a snapshot taken at the window's first
    instruction; every fault starts from that snapshot (loadvm)."""

    def __init__(self):
        self.p = None

    def start(self):
        snap = JOB["out"] + ".qcow2"
        make_qcow2(snap)
        cmd = list(JOB["qemu"]) + ["-drive", "if=none,id=snap,format=qcow2,file=" + snap,
                                   "-S", "-gdb", "tcp:127.0.0.1:%d" % JOB["port"]]
        self.p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        for _ in range(250):
            try:
                ex("target remote 127.0.0.1:%d" % JOB["port"])
                break
            except gdb.error:
                time.sleep(0.02)
        else:
            self.stop()
            raise RuntimeError("QEMU's gdbstub did not answer")
        ex("delete")
        addr, hit = JOB["snapshot"]
        ex("break *0x%x" % addr)
        bp = gdb.breakpoints()[-1]
        if hit > 1:
            bp.ignore_count = hit - 1
        stop = cont(60)
        if stop != ("stop", addr):
            self.stop()
            raise RuntimeError("the window's start was not reached: %r" % (stop,))
        ex("delete")
        ex("monitor savevm w")

    def alive(self):
        return self.p is not None and self.p.poll() is None

    def restore(self):
        if not self.alive():
            self.start()
        else:
            try:
                ex("monitor loadvm w")
                ex("maintenance flush register-cache")
            except gdb.error:  # QEMU exited during the last run
                self.stop()
                self.start()
        ex("delete")

    def stop(self):
        if self.p is None:
            return
        try:
            ex("kill")
        except gdb.error:
            pass
        try:
            ex("disconnect")
        except gdb.error:
            pass
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.p = None


JOB.setdefault("reach_timeout", 60)
SESSION = Session()


def classify(stop):
    what, pc = stop
    if what == "exit":  # semihosting exit: 4 safe state, 6 hardening panic
        if pc in (4, 6):
            return "refused", "qemu exit %d" % pc
        return "hang", "qemu exit %s" % pc
    if what == "timeout":
        return "hang", "0x%x" % pc
    name = OUTCOME.get(pc)
    if name == "entry":  # an application entry: which image does the slot hold?
        ver = read_bytes(JOB["version_addr"], 8)
        v = "%d.%d.%d" % (ver[0], ver[1], int.from_bytes(ver[2:4], "little"))
        return ("booted_bad" if v in JOB["bad_versions"] else "no_effect"), "app " + v
    if name is None:
        return "hang", "stopped at 0x%x" % pc
    return name, "0x%x" % pc


def run_one(f):
    SESSION.restore()
    for a in OUTCOME_BASE:
        ex("break *0x%x" % a)
    OUTCOME.clear()
    OUTCOME.update(OUTCOME_BASE)
    res = {"id": f["id"] if f else None}
    if f is not None:
        # Executions count from the window's first instruction, where the
        # snapshot stands: that instruction's first execution is now.
        hit = f["hit"] - (1 if f["addr"] == JOB["snapshot"][0] else 0)
        if hit > 0:
            ex("break *0x%x" % f["addr"])
            bp = gdb.breakpoints()[-1]
            if hit > 1:
                bp.ignore_count = hit - 1
            stop = cont(JOB["reach_timeout"])
            if stop[0] != "stop" or stop[1] != f["addr"]:
                res.update(outcome="not_reached", note=str(stop))
                return res
            bp.delete()
        res["note"] = apply_fault(f)
        for a in JOB["reset"]:  # the shim again: a reset (SYSRESETREQ)
            ex("break *0x%x" % a)
            OUTCOME.setdefault(a, "fault_reset")
    stop = cont(JOB["timeout"])
    outcome, where = classify(stop)
    res.update(outcome=outcome, where=where)
    if stop[0] == "exit":
        SESSION.stop()
    return res


def main():
    ex("set pagination off")
    ex("set confirm off")
    ex("set architecture armv7e-m")
    with open(JOB["out"], "a") as out:
        for f in JOB["faults"]:
            t = time.time()
            try:
                r = run_one(f)
            except Exception as e:  # a broken run is reported, never dropped
                r = {"id": f["id"] if f else None, "outcome": "error", "note": repr(e)}
            r["s"] = round(time.time() - t, 3)
            out.write(json.dumps(r) + "\n")
            out.flush()
    SESSION.stop()


main()
