#!/usr/bin/env python3
"""Single-fault campaign against the QEMU firmware (docs/glitch.md, "Campaign").

  campaign.py --build BUILD [--full | --sample N] [--seed S] [--jobs 2]
              [--model skip,branch] [--case ...] [--json OUT] [--must-hold]

BUILD is a build tree configured with -DLF_QEMU=ON (build-qemu, build-glitch-on,
...). For every case (an image that must be refused in the slot the stage
would boot) it runs the boot once without a fault and traces the window, then
once per fault: one instruction skipped ("skip") or one conditional decision
inverted ("branch"), each at one execution of one instruction of the window.
It prints, per case and fault model: faults tried, no effect, refused,
fault+reset, hang, booted the bad image. --must-hold: exit 1 if any fault
booted the bad image (or a run broke). Python 3 standard library, qemu-system-arm,
gdb-multiarch and arm-none-eabi-objdump/nm.
"""
import argparse
import copy
import importlib.util
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# The window (docs/glitch.md): every instruction of the image's code except
# these inner primitives (hashing, big-number and curve arithmetic, memory and
# string helpers, log formatting and the UART, the flash driver's copy), at
# each of its executions, from reset to the outcome; an instruction executed
# more than HOT times (a loop body) at its first and last HOT_KEEP executions.
EXCLUDE = re.compile(
    r"^(sha256_compress|p256_run|lf_sha256\w*|lf_sha512\w*|lf_bn_\w+|fe_\w+|p256_(double|add|decode|"
    r"odd_multiples)\w*|point_copy|scalar_in_range|mem(cpy|set|cmp|move)|strlen|strcmp|"
    r"__\w+|lf_logf|lf_vformat\w*|lf_put\w*|fw_log_write|board_uart_write|lf_cm_fault_entry|"
    r"lf_cm_fault_report|lf_fe25519\w*|lf_ed25519\w*|"
    # the flash plumbing (driver, geometry, bounds) and the boot-record writer
    r"lf_flash_\w+|q_read|q_program|q_erase|store_and|store_erase|locked|cut_now|"
    r"lf_rec_\w+|lf_boot_record_\w+|lf_boot_write_record|lf_crc32|lf_put32)"
    r"(\.\w+|\.part\.\d+|\.constprop\.\d+|\.isra\.\d+)*$")
HOT = 8
HOT_KEEP = 2
# ... and one executed more than HOT_CAP times (the painted-stack scan that
# measures stage 1's stack before its jump, ~64 K passes) at its first
# HOT_KEEP only: reaching its last ones would cost a GDB stop per pass.
HOT_CAP = 1000
# The window opens at the first instruction executed in one of these (the
# start of the validation: stage 0's lf_stage0_boot, stage 1's engine).
# With a line table: the first instruction of the stage's boot decision,
# inlined or not (stage 0's lf_stage0_boot, stage 1's lf_stage1_boot); without
# one, the first instruction executed in one of the functions START names.
START_SRC = {"stage0": "lf_stage0_boot", "stage1": "lf_stage1_boot"}
START = re.compile(r"^(lf_stage0_boot|lf_boot_go|lf_boot_layout_check|lf_move_layout|"
                   r"lf_trailer_read)(\.\w+)*$")

NVM_SIZE = 16 * 1024 * 1024
OUTCOMES = ["no_effect", "refused", "fault_reset", "hang", "booted_bad"]


def load_nvm():
    spec = importlib.util.spec_from_file_location("nvm", os.path.join(ROOT, "ports/qemu/nvm.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


NVM = load_nvm()


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, **kw).stdout


class Build:
    def __init__(self, build):
        self.dir = os.path.abspath(build)
        q = os.path.join(self.dir, "qemu")
        self.fw = os.path.join(q, "fw", "bin")
        self.keys = os.path.join(q, "keys")
        self.images = os.path.join(q, "images")
        self.lfimg = os.path.join(self.dir, "bin", "lfimg")
        for p in (self.lfimg, os.path.join(self.fw, "stage0.elf"), self.images):
            if not os.path.exists(p):
                raise SystemExit(f"campaign: {p} missing: build {build} with -DLF_QEMU=ON first")
        self.work = os.path.join(self.dir, "glitch")
        os.makedirs(self.work, exist_ok=True)

    def elf(self, name):
        return os.path.join(self.fw, name + ".elf")

    def lf(self, *args):
        return run([self.lfimg, *args])


# ---- the ELF: functions, instructions -------------------------------------------

class Elf:
    def __init__(self, path):
        self.path = path
        self.funcs = []  # (start, end, name)
        for line in run(["arm-none-eabi-nm", "-S", path]).splitlines():
            f = line.split()
            if len(f) == 4 and f[2] in "tTwW":
                start, size = int(f[0], 16) & ~1, int(f[1], 16)
                if size:
                    self.funcs.append((start, start + size, f[3]))
        self.funcs.sort()
        self.sym = {}
        for line in run(["arm-none-eabi-nm", path]).splitlines():
            f = line.split()
            if len(f) == 3:
                self.sym.setdefault(f[2], int(f[0], 16) & ~1)
        self.insn = {}  # addr -> (len, mnemonic, operands, first halfwords)
        pat = re.compile(r"^\s*([0-9a-f]+):\t([0-9a-f]{4})(?: ([0-9a-f]{4}))?\s*\t(\S+)\s*(.*)$")
        for line in run(["arm-none-eabi-objdump", "-d", path]).splitlines():
            m = pat.match(line)
            if m:
                hw = [int(m.group(2), 16)] + ([int(m.group(3), 16)] if m.group(3) else [])
                self.insn[int(m.group(1), 16)] = (2 * len(hw), m.group(4), m.group(5), hw)

    def func_of(self, addr):
        for s, e, n in self.funcs:
            if s <= addr < e:
                return n
        return "?"

    def window_ranges(self):
        return [(s, e, n) for s, e, n in self.funcs if not EXCLUDE.match(n) and
                any(s <= a < e for a in (s, s + 2))]

    def inline_chains(self, addrs):
        """addr -> the source functions it belongs to, inlined ones included
        (empty when the ELF has no line table)."""
        out = subprocess.run(["arm-none-eabi-addr2line", "-a", "-i", "-f", "-e", self.path],
                             input="\n".join("0x%x" % a for a in addrs), capture_output=True,
                             text=True).stdout.splitlines()
        chains, cur, known = {}, None, False
        for i, line in enumerate(out):
            if line.startswith("0x") and (i + 1 < len(out)):
                cur = int(line, 16)
                chains[cur] = []
            elif cur is not None and not line.startswith("/") and ":" not in line:
                chains[cur].append(line)
            elif cur is not None and ":?" not in line and "??" not in line:
                known = True
        return chains if known else {}

    def find(self, name):
        try:
            return self.addr(name)
        except SystemExit:
            return None

    def addr(self, name):
        if name in self.sym:
            return self.sym[name]
        for n, a in self.sym.items():
            if n.startswith(name + "."):
                return a
        raise SystemExit(f"campaign: no symbol {name} in {self.path}")


# ---- cases -------------------------------------------------------------------

def flip_byte(src, dst, off):
    data = bytearray(open(src, "rb").read())
    data[off] ^= 0x01
    open(dst, "wb").write(data)


def make_nvm(out, parts, provision):
    img = bytearray(b"\xff" * NVM_SIZE)
    for area, path in parts:
        NVM.place(img, area, open(path, "rb").read())
    prov = open(provision, "rb").read() if isinstance(provision, str) else provision
    NVM.place(img, "provision", prov)
    import struct
    img[NVM.CTRL:NVM.CTRL + 16] = struct.pack("<IIII", NVM.CTRL_MAGIC, 0, 0, 0)
    open(out, "wb").write(img)


PROV_REVOKE_OFF = 0x10 + 4 * 32  # LF_PROVISION_REVOKE_OFF (core/include/lf/provision.h)

CASES = {
    # stage 0: S0 holds a stage 1 that must be refused, S1 is empty
    "s0-untrusted-key": ("stage0", "stage 1 signed by a key that is not provisioned"),
    "s0-tampered": ("stage0", "stage 1's payload changed after signing (one bit)"),
    "s0-revoked-key": ("stage0", "stage 1 signed by root key 0, revoked in the provision area"),
    "s0-old-counter": ("stage0", "stage 1 with security counter 1, the stored counter is 2"),
    # stage 1: a valid chain, the application slot stage 1 boots holds a bad image
    "s1-untrusted-key": ("stage1", "application signed by a key stage 1 does not hold"),
    "s1-tampered": ("stage1", "application's payload changed after signing (one bit)"),
    "s1-downgrade": ("stage1", "application 2.0.0 runs; 1.0.0 (validly signed) requested "
                               "for a swap in the secondary: the downgrade must be refused"),
}


def build_cases(b, names):
    """Flash files for the cases (made once per build tree)."""
    w = os.path.join(b.work, "cases")
    os.makedirs(w, exist_ok=True)
    k = lambda n: os.path.join(b.keys, n)  # noqa: E731
    i = lambda n: os.path.join(b.images, n)  # noqa: E731
    o = lambda n: os.path.join(w, n)  # noqa: E731
    stamp = o("stamp")
    src = [b.lfimg, os.path.join(b.fw, "stage0.bin"), os.path.join(b.fw, "stage1-s0.bin"),
           os.path.join(b.fw, "smp-app.bin"), __file__]
    if os.path.exists(stamp) and all(os.path.getmtime(s) < os.path.getmtime(stamp) for s in src):
        return w
    if not os.path.exists(o("untrusted.pem")):
        b.lf("keygen", "-k", o("untrusted.pem"), "-t", "ecdsa-p256")
        b.lf("keygen", "-k", o("root2.pem"), "-t", "ecdsa-p256")
    s1 = os.path.join(b.fw, "stage1-s0.bin")
    app = os.path.join(b.fw, "smp-app.bin")

    def sign_s1(key, out, cnt="1"):
        b.lf("sign", "--board", "qemu", "--slot", "s0", "-k", key, "-v", "1.0.0", "-s", cnt,
             "--pad-header", s1, out)

    def sign_app(key, ver, out, *extra):
        b.lf("sign", "--board", "qemu", "--slot", "app", "-k", key, "-v", ver, "--pad-header",
             *extra, app, out)

    b.lf("provision", "--board", "qemu", "-k", k("root.pem"), "--counter", "1", "-o", o("prov.bin"))
    b.lf("provision", "--board", "qemu", "-k", k("root.pem"), "--counter", "2", "-o", o("prov2.bin"))
    b.lf("provision", "--board", "qemu", "-k", k("root.pem"), "-k", o("root2.pem"), "--counter",
         "1", "-o", o("prov-rev.bin"))
    rev = bytearray(open(o("prov-rev.bin"), "rb").read())
    rev[PROV_REVOKE_OFF:PROV_REVOKE_OFF + 4] = b"\0\0\0\0"  # key 0 revoked
    stage0 = os.path.join(b.fw, "stage0.bin")
    good_s1 = i("stage1-1.0.0-s0.signed.bin")
    good_app = i("app-1.0.0.signed.bin")

    sign_s1(o("untrusted.pem"), o("s1-untrusted.bin"))
    flip_byte(good_s1, o("s1-tampered.bin"), 0x200 + 0x1000)
    make_nvm(o("s0-untrusted-key.nvm"), [("stage0", stage0), ("s0", o("s1-untrusted.bin")),
                                         ("app-primary", good_app)], o("prov.bin"))
    make_nvm(o("s0-tampered.nvm"), [("stage0", stage0), ("s0", o("s1-tampered.bin")),
                                    ("app-primary", good_app)], o("prov.bin"))
    make_nvm(o("s0-revoked-key.nvm"), [("stage0", stage0), ("s0", good_s1),
                                       ("app-primary", good_app)], bytes(rev))
    make_nvm(o("s0-old-counter.nvm"), [("stage0", stage0), ("s0", good_s1),
                                       ("app-primary", good_app)], o("prov2.bin"))

    sign_app(o("untrusted.pem"), "1.0.0", o("app-untrusted.bin"))
    flip_byte(good_app, o("app-tampered.bin"), 0x200 + 0x1000)
    sign_app(k("app.pem"), "1.0.0", o("app-1.0.0-test.bin"), "--pad")
    make_nvm(o("s1-untrusted-key.nvm"), [("stage0", stage0), ("s0", good_s1),
                                         ("app-primary", o("app-untrusted.bin"))], o("prov.bin"))
    make_nvm(o("s1-tampered.nvm"), [("stage0", stage0), ("s0", good_s1),
                                    ("app-primary", o("app-tampered.bin"))], o("prov.bin"))
    make_nvm(o("s1-downgrade.nvm"), [("stage0", stage0), ("s0", good_s1),
                                     ("app-primary", i("app-2.0.0.signed.bin")),
                                     ("app-secondary", o("app-1.0.0-test.bin"))], o("prov.bin"))
    open(stamp, "w").write("ok\n")
    return w


def qemu_cmd(b, nvm):
    return ["qemu-system-arm", "-M", "mps2-an386", "-display", "none", "-monitor", "none",
            "-serial", "null", "-semihosting-config", "enable=on,target=native",
            "-object", f"memory-backend-file,id=nvm,size=16M,mem-path={nvm},share=off",
            "-machine", "memory-backend=nvm",
            "-device", f"loader,file={os.path.join(b.fw, 'bootrom.elf')},cpu-num=0"]


class Case:
    def __init__(self, b, casedir, name):
        self.name = name
        self.stage, self.what = CASES[name]
        self.nvm = os.path.join(casedir, name + ".nvm")
        self.b = b
        self.s0 = Elf(b.elf("stage0"))
        self.s1 = Elf(b.elf("stage1-s0"))
        self.elf = self.s0 if self.stage == "stage0" else self.s1
        img = open(self.nvm, "rb").read()
        le32 = lambda off: int.from_bytes(img[off:off + 4], "little")  # noqa: E731
        s0_reset = le32(0x4000 + 0x200 + 4) & ~1
        app_reset = le32(0x20000 + 0x200 + 4) & ~1
        rom = int(run(["arm-none-eabi-readelf", "-h", os.path.join(b.fw, "bootrom.elf")])
                  .split("Entry point address:")[1].split()[0], 16) & ~1
        self.outcomes = {
            "fault_reset": [self.s0.addr("lf_cm_fault_entry"), self.s1.addr("lf_cm_fault_entry")],
            "refused": [self.s0.addr("qemu_exit")],
        }
        # the hardening's panic (LF_FIH=ON) halts in the safe state too
        for e in (self.s0, self.s1):
            for sym in ("lf_fih_panic", "qemu_exit"):
                a = e.find(sym)
                if a is not None and a not in self.outcomes["refused"]:
                    self.outcomes["refused"].append(a)
        self.reset = [rom]
        self.version_addr = 0x20000 + 20
        self.bad_versions = []
        if self.stage == "stage0":
            self.outcomes["booted_bad"] = [s0_reset]
        else:
            self.outcomes["refused"] += [self.s1.addr("fw_smp_serve")]
            self.outcomes["entry"] = [app_reset]
            self.bad_versions = ["1.0.0"]

    def control(self):
        """This case with the good factory flash file (stage 1 1.0.0 in S0,
        application 1.0.0 in the primary)."""
        c = copy.copy(self)
        c.nvm = os.path.join(self.b.images, "factory.bin")
        return c

    def job(self, model, faults, port, out, timeout):
        return {"model": model, "faults": faults, "port": port, "out": out, "timeout": timeout,
                "qemu": qemu_cmd(self.b, self.nvm), "outcomes": self.outcomes,
                "reset": self.reset, "version_addr": self.version_addr,
                "bad_versions": self.bad_versions, "snapshot": self.snapshot}

    # -- the window, from a trace of the fault-free run
    def trace(self):
        ranges = self.elf.window_ranges()
        stops = [a for v in self.outcomes.values() for a in v]
        filt = ",".join("0x%x..0x%x" % (s, e - 1) for s, e, _ in ranges)
        filt += "," + ",".join("0x%x+2" % a for a in stops)
        with tempfile.TemporaryDirectory() as t:
            log = os.path.join(t, "trace.log")
            cmd = qemu_cmd(self.b, self.nvm) + ["-singlestep", "-d", "exec,nochain", "-dfilter",
                                                filt, "-D", log]
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            stopset = {"%08x" % a for a in stops}
            pc_re = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")
            pcs = []
            end = None
            t0 = time.time()
            while end is None:
                time.sleep(0.2)
                done = p.poll() is not None
                pcs = []
                if not os.path.exists(log):  # QEMU opens it at its first line
                    if done or time.time() - t0 > 120:
                        break
                    continue
                with open(log, errors="replace") as f:
                    for line in f:
                        m = pc_re.match(line)
                        if m:
                            if m.group(1) in stopset:
                                end = int(m.group(1), 16)
                                break
                            pcs.append(int(m.group(1), 16))
                if done or time.time() - t0 > 120:
                    break
            if p.poll() is None:
                p.kill()
            p.wait()
        if end is None:
            raise SystemExit(f"campaign: {self.name}: the fault-free run reached no outcome")
        lo, hi = (0, 0x4000) if self.stage == "stage0" else (0x4000, 0x10000)
        pcs = [a for a in pcs if lo <= a < hi]
        chains = self.elf.inline_chains(sorted(set(pcs)))
        want = START_SRC[self.stage]
        for i, a in enumerate(pcs):
            if (want in chains.get(a, ()) if chains else START.match(self.elf.func_of(a))):
                self.snapshot = (a, pcs[:i].count(a) + 1)
                return pcs[i:], end
        raise SystemExit(f"campaign: {self.name}: the window's start was never reached")

    def window(self):
        pcs, end = self.trace()
        total = {}
        for a in pcs:
            total[a] = total.get(a, 0) + 1
        seen = {}
        win = []
        for a in pcs:
            n = seen[a] = seen.get(a, 0) + 1
            if total[a] > HOT and HOT_KEEP < n and (total[a] > HOT_CAP or
                                                    n <= total[a] - HOT_KEEP):
                continue
            win.append((a, n))
        return win, len(pcs), end


BCC = re.compile(r"^b(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)(\.n|\.w)?$")


def faults_for(case, model, win):
    out = []
    for a, n in win:
        ins = case.elf.insn.get(a)
        if not ins:
            continue
        ln, mn, ops, hw = ins
        f = {"addr": a, "hit": n, "len": ln, "fn": case.elf.func_of(a), "insn": f"{mn} {ops}".strip()}
        if model == "skip":
            f["kind"] = "skip"
        elif BCC.match(mn):
            f["kind"] = "bcc"
            f["cond"] = (hw[0] >> 8) & 0xF if ln == 2 else (hw[0] >> 6) & 0xF
            f["target"] = int(ops.split()[0], 16)
        elif mn in ("cbz", "cbnz"):
            f["kind"] = "cbz"
            f["nz"] = mn == "cbnz"
            f["rn"] = hw[0] & 7
            f["target"] = int(ops.split(",")[1].split()[0], 16)
        elif re.match(r"^it[te]{0,3}$", mn) and (hw[0] & 0xF):
            f["kind"] = "it"
            f["firstcond"] = (hw[0] >> 4) & 0xF
            f["mask"] = hw[0] & 0xF
        else:
            continue
        out.append(f)
    for i, f in enumerate(out):
        f["id"] = i
    return out


def fault_key(case, f):
    """What names a fault across builds of the same code: the function (LTO
    suffixes dropped), the offset in it, the instruction and its execution."""
    fn = re.sub(r"(\.(constprop|isra|part|lto_priv)\.\d+)+$", "", f["fn"])
    off = f["addr"] - case.elf.addr(f["fn"]) if f["fn"] != "?" else -1
    insn = re.sub(r"\b[0-9a-f]+ <", "<", f["insn"])  # branch targets as symbol+offset
    return (fn, off, insn, f["hit"])


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def run_faults(case, model, faults, jobs, timeout):
    """Run the faults on `jobs` gdb workers; returns the results by id."""
    tmp = tempfile.mkdtemp(prefix="glitch-")
    procs = []
    try:
        for j in range(jobs):
            part = faults[j::jobs]
            if not part and j:
                continue
            out = os.path.join(tmp, f"out{j}.jsonl")
            jf = os.path.join(tmp, f"job{j}.json")
            json.dump(case.job(model, part, free_port(), out, timeout), open(jf, "w"))
            env = dict(os.environ, GLITCH_JOB=jf)
            procs.append(subprocess.Popen(
                ["gdb-multiarch", "-nx", "-batch", "-x", os.path.join(HERE, "gdb_worker.py")],
                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=open(os.path.join(tmp, f"gdb{j}.log"), "w")))
        for p in procs:
            p.wait()
        res = {}
        for j in range(jobs):
            out = os.path.join(tmp, f"out{j}.jsonl")
            if os.path.exists(out):
                for line in open(out):
                    r = json.loads(line)
                    res[r["id"]] = r
        return res
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def table(rows):
    head = ("| stage | case | model | window (dyn. insns) | faults | no effect | refused | "
            "fault+reset | hang | booted bad |")
    lines = [head, "|" + "---|" * 10]
    for r in rows:
        c = r["counts"]
        lines.append("| %s | %s | %s | %d | %d | %d | %d | %d | %d | **%d** |" % (
            r["stage"], r["case"], r["model"], r["window"], r["tried"], c["no_effect"],
            c["refused"], c["fault_reset"], c["hang"], c["booted_bad"]))
    return "\n".join(lines)


def save_json(path, b, rows, results):
    with open(path + ".tmp", "w") as f:
        json.dump({"build": b.dir, "hot": HOT, "hot_keep": HOT_KEEP, "rows": rows,
                   "results": results}, f, indent=1)
    os.replace(path + ".tmp", path)


def record(path, results):
    known = json.load(open(path)) if os.path.exists(path) else {}
    for r in results:
        if r["outcome"] == "booted_bad":
            lst = known.setdefault(f"{r['case']}:{r['model']}", [])
            if list(r["key"]) not in lst:
                lst.append(list(r["key"]))
    with open(path, "w") as f:
        json.dump(known, f, indent=1, sort_keys=True)
        f.write("\n")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", required=True)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--full", action="store_true", help="every fault of the window (default)")
    g.add_argument("--sample", type=int, metavar="N",
                   help="N faults per case and model, seeded, plus every fault listed in "
                        "--always")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--always", default=os.path.join(HERE, "known_bad.json"),
                    help="faults every sampled run includes (function+offset, per case/model)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--model", default="skip,branch")
    ap.add_argument("--case", default=",".join(CASES))
    ap.add_argument("--timeout", type=float, default=0, help="seconds per run (0: from the fault-free run)")
    ap.add_argument("--json", help="write every result here")
    ap.add_argument("--record-bad", metavar="FILE",
                    help="add every fault that booted a bad image to FILE (the --always list)")
    ap.add_argument("--must-hold", action="store_true",
                    help="exit 1 if any fault booted a bad image or a run broke")
    ap.add_argument("--from-json", metavar="FILE",
                    help="run nothing: print the table of a saved --json (and --record-bad)")
    a = ap.parse_args(argv)
    t_start = time.time()
    if a.from_json:
        saved = json.load(open(a.from_json))
        print(table(saved["rows"]))
        if a.record_bad:
            b = Build(saved["build"])
            elfs = {}
            for r in saved["results"]:
                if r["outcome"] == "booted_bad":
                    st = CASES[r["case"]][0]
                    e = elfs.setdefault(st, Elf(b.elf("stage0" if st == "stage0" else "stage1-s0")))
                    r["key"] = fault_key(type("C", (), {"elf": e}), r)
            record(a.record_bad, saved["results"])
        return 0
    b = Build(a.build)
    casedir = build_cases(b, a.case.split(","))
    always = {}
    if a.sample and os.path.exists(a.always):
        always = json.load(open(a.always))
    rows, results, broken = [], [], 0
    for name in a.case.split(","):
        case = Case(b, casedir, name)
        win, traced, end = case.window()
        g0 = run_faults(case, "skip", [None], 1, 60).get(None, {"outcome": "error"})
        timeout = a.timeout or (8.0 if name == "s1-downgrade" else 1.5)
        want = "no_effect" if name == "s1-downgrade" else "refused"
        # The detector's own check: the same slot holding a good image (the
        # factory flash file; for s1-downgrade, application 1.0.0 in the
        # primary) must read as "booted bad" to the same breakpoints.
        ctl = run_faults(case.control(), "skip", [None], 1, 60).get(None, {"outcome": "error"})
        if g0["outcome"] != want or ctl["outcome"] != "booted_bad":
            print(f"{name}: the fault-free run gave {g0} (expected {want}), the control run "
                  f"{ctl} (expected booted_bad)", file=sys.stderr)
            broken += 1
            continue
        for model in a.model.split(","):
            faults = faults_for(case, model, win)
            chosen = faults
            if a.sample is not None:
                rnd = random.Random(f"{a.seed}:{name}:{model}")
                keep = set(rnd.sample(range(len(faults)), min(a.sample, len(faults))))
                marks = {tuple(x) for x in always.get(f"{name}:{model}", [])}
                matched = 0
                for f in faults:
                    if fault_key(case, f) in marks:
                        keep.add(f["id"])
                        matched += 1
                print(f"{name} {model}: {matched} of {len(marks)} recorded bad faults exist "
                      f"in this build", file=sys.stderr)
                chosen = [f for f in faults if f["id"] in keep]
            t1 = time.time()
            res = run_faults(case, model, chosen, a.jobs, timeout)
            counts = {k: 0 for k in OUTCOMES}
            for f in chosen:
                r = res.get(f["id"], {"outcome": "error", "note": "no result"})
                o = r["outcome"]
                if o in ("not_reached", "error"):
                    broken += 1
                    print(f"{name} {model}: run broke at {f['fn']} 0x{f['addr']:x} "
                          f"hit {f['hit']}: {r}", file=sys.stderr)
                    continue
                counts[o] += 1
                results.append(dict(f, case=name, model=model, outcome=o,
                                    where=r.get("where"), note=r.get("note"),
                                    key=fault_key(case, f)))
                if o == "booted_bad":
                    print(f"BOOTED BAD: {name} {model}: {f['fn']} 0x{f['addr']:x} hit {f['hit']}"
                          f" ({f['insn']}) {r.get('note')}", file=sys.stderr)
            row = {"stage": case.stage, "case": name, "model": model, "window": len(win)
                   if model == "skip" else len(faults), "traced": traced, "tried": len(chosen),
                   "counts": counts, "seconds": round(time.time() - t1, 1)}
            rows.append(row)
            if a.json:  # after every row: a long run that stops keeps what it did
                save_json(a.json, b, rows, results)
            print(f"{name} {model}: {len(chosen)} faults in {row['seconds']} s: {counts}",
                  file=sys.stderr, flush=True)
    print(table(rows))
    total_bad = sum(r["counts"]["booted_bad"] for r in rows)
    print(f"\n{sum(r['tried'] for r in rows)} faults, {total_bad} booted a bad image, "
          f"{broken} broken runs, {time.time() - t_start:.0f} s")
    if a.json:
        save_json(a.json, b, rows, results)
    if a.record_bad:
        record(a.record_bad, results)
    if a.must_hold and (total_bad or broken):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
