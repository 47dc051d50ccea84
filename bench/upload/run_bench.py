#!/usr/bin/env python3
"""Upload throughput of lfmgr to the virtual device (lfsim).

Measures `lfmgr image upload` over a pty at an emulated 115200 and 1000000 baud
(the serial console framing), over UDP and over the simulated BLE link (ATT MTU
247 and 23), and prints a markdown table: transport, baud, payload bytes/s and,
for serial, the ceiling the framing allows at that baud rate and the fraction
of it reached (docs/lfmgr.md, "Throughput ceiling"; lfmgr computes the ceiling
for the actual file and message size and reports it in its --json summary).

    bench/upload/run_bench.py [--build DIR] [--runs N] [--load N] [--details]

--load N runs N busy processes (`yes >/dev/null`) during the measurement, the
condition the 90 % target is stated for.

Not a CTest test: timing depends on the machine's load.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time


def make_image(path, body_len):
    """An application image as the server checks it: 0x200-byte header,
    random body, SHA256 TLV (unsigned: lfsim's first form skips signatures)."""
    hdr = struct.pack("<IIHHIIBBHI", 0x96F3B83D, 0, 0x200, 0, body_len, 0, 1, 2, 3, 0)
    hdr += b"\0" * (0x200 - len(hdr))
    body = os.urandom(body_len)
    tlv = struct.pack("<HHHH", 0x6907, 40, 0x10, 32) + hashlib.sha256(hdr + body).digest()
    with open(path, "wb") as f:
        f.write(hdr + body + tlv)


class Device:
    def __init__(self, build, workdir, baud):
        self.lfsim = os.path.join(build, "bin", "lfsim")
        self.dir = os.path.join(workdir, "dev")
        self.pty = os.path.join(workdir, "pty")
        if not os.path.exists(self.dir):
            subprocess.run([self.lfsim, "create", self.dir, "--board", "nrf52840dk"],
                           check=True, stdout=subprocess.DEVNULL)
        self.ble = os.path.join(workdir, "ble")
        # --no-boot: the device holds no signed chain, only the uploads
        args = [self.lfsim, "run", self.dir, "--no-boot", "--udp", "0", "--pty", self.pty,
                "--ble", self.ble, "--mtu", "247"]
        if baud:
            args += ["--baud", str(baud)]
        self.out = open(os.path.join(workdir, "lfsim.out"), "w+")
        self.proc = subprocess.Popen(args, stdout=self.out, stderr=subprocess.DEVNULL)
        self.port = None
        for _ in range(500):
            self.out.seek(0)
            m = re.search(r"udp 127\.0\.0\.1:(\d+)\n", self.out.read())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.01)
        if self.port is None:
            raise RuntimeError("lfsim did not start")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)
        self.out.close()


def upload(lfmgr, conn, path, window=None):
    args = [lfmgr, "--conn", conn, "image", "upload", path, "--json"]
    if window:
        args += ["--window", str(window)]
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"lfmgr failed ({r.returncode}): {r.stderr.strip()}")
    return json.loads(r.stdout)


def conn_spec(dev, kind, baud, mtu):
    if kind == "serial":
        return f"serial:{dev.pty},baud={baud}"
    if kind == "ble-sim":
        return f"ble-sim:{dev.ble},mtu={mtu}"
    return f"udp:127.0.0.1:{dev.port}"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(here, "..", "..", "build"))
    ap.add_argument("--runs", type=int, default=3, help="runs per row (the median is shown)")
    ap.add_argument("--kib-115200", type=int, default=64, help="file size at 115200 baud")
    ap.add_argument("--kib-1m", type=int, default=256, help="file size at 1000000 baud")
    ap.add_argument("--kib-udp", type=int, default=400, help="file size over UDP and BLE")
    ap.add_argument("--load", type=int, default=0,
                    help="busy background processes during the runs (yes >/dev/null)")
    ap.add_argument("--details", action="store_true",
                    help="also print window, file, buf_size, message and chunk sizes")
    ap.add_argument("--pipelined", action="store_true",
                    help="also measure serial with two requests in flight (--window 2)")
    a = ap.parse_args()
    lfmgr = os.path.join(a.build, "bin", "lfmgr")
    for exe in (lfmgr, os.path.join(a.build, "bin", "lfsim")):
        if not os.access(exe, os.X_OK):
            sys.exit(f"run_bench: {exe} not built (cmake --build {a.build} --target lfmgr lfsim)")

    rows = []
    work = tempfile.mkdtemp(prefix="lfmgr-bench-")
    load = [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(a.load)]
    try:
        # (transport, baud, ATT MTU, file KiB, window)
        plan = [("serial", 115200, None, a.kib_115200, None),
                ("serial", 1000000, None, a.kib_1m, None)]
        if a.pipelined:
            plan += [("serial", 115200, None, a.kib_115200, 2),
                     ("serial", 1000000, None, a.kib_1m, 2)]
        plan += [("udp", 0, None, a.kib_udp, None),
                 ("ble-sim", 0, 247, a.kib_udp, None),
                 ("ble-sim", 0, 23, a.kib_udp, None)]
        for kind, baud, mtu, kib, window in plan:
            dev = Device(a.build, work, baud)
            try:
                conn = conn_spec(dev, kind, baud, mtu)
                results = []
                for i in range(a.runs):
                    path = os.path.join(work, f"img{i}.bin")
                    make_image(path, kib * 1024 - 0x200 - 44)
                    results.append(upload(lfmgr, conn, path, window))
                rows.append((kind, baud, results))
            finally:
                dev.stop()
    finally:
        for p in load:
            p.kill()
            p.wait()
        shutil.rmtree(work, ignore_errors=True)

    cols = ["transport", "baud", "payload B/s", "framing ceiling B/s", "fraction"]
    if a.details:
        cols += ["window", "file", "buf_size", "message", "chunk data"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for kind, baud, results in rows:
        med = sorted(results, key=lambda r: r["bytes_per_s"])[len(results) // 2]
        rate = statistics.median(r["bytes_per_s"] for r in results)
        if kind == "serial":
            name = "pty (serial framing)"
            frac = statistics.median(r["fraction"] for r in results)
            cells = [f"{baud:,}", f"{rate:,.0f}", f"{med['ceiling_bytes_per_s']:,.0f}",
                     f"{100 * frac:.1f} %"]
        else:
            name = "UDP" if kind == "udp" else f"ble-sim, ATT MTU {med['mtu']}"
            cells = ["-", f"{rate:,.0f}", "-", "-"]
        if med["window"] > 1 and kind == "serial":
            name += f", window {med['window']}"
        row = [name] + cells
        if a.details:
            row += [str(med["window"]), f"{med['len']:,} B", str(med["buf_size"]),
                    f"{med['msg_max']} B", f"{med['chunk_max']} B"]
        print("| " + " | ".join(row) + " |")
    print(f"\n{a.runs} runs per row, median shown"
          + (f", {a.load} busy processes running" if a.load else ", idle machine")
          + f", {os.cpu_count()} CPUs; ceiling = file bytes x baud / 10 / wire bytes of the "
          "framed requests (docs/lfmgr.md).")


if __name__ == "__main__":
    main()
