"""One emulated device: QEMU mps2-an386 running the firmware on a flash file.

The UART is QEMU's TCP client connection to a socket this harness listens on
(no port race, no lost output). The harness keeps the whole UART log and,
while an SMP client runs, forwards the UART to and from a pty the client
opens as a serial port (`lfmgr --conn serial:/dev/pts/N`).
"""
import os
import re
import select
import socket
import subprocess
import threading
import time
import tty
import pty
import termios


class Device:
    def __init__(self, qemu, bootrom, nvm, log_path=None, icount=False):
        self.qemu, self.bootrom, self.nvm = qemu, bootrom, nvm
        self.log_path = log_path
        self.icount = icount
        self.proc = None
        self.log = bytearray()
        self.lock = threading.Lock()
        self.forward = False
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)
        self.pty_name = os.ttyname(self.slave)
        self.conn = None

    # ---- life cycle -------------------------------------------------------
    def start(self):
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        cmd = [self.qemu, "-M", "mps2-an386", "-display", "none", "-monitor", "none",
               "-serial", f"tcp:127.0.0.1:{port}",
               "-semihosting-config", "enable=on,target=native",
               "-object", f"memory-backend-file,id=nvm,size=16M,mem-path={self.nvm},share=on",
               "-machine", "memory-backend=nvm",
               "-device", f"loader,file={self.bootrom},cpu-num=0"]
        if self.icount:
            cmd += ["-icount", "shift=0"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        srv.settimeout(10)
        self.conn, _ = srv.accept()
        srv.close()
        self.mark_pos = 0
        with self.lock:
            self.start_pos = len(self.log)
        self.stop_evt = threading.Event()
        self.rx = threading.Thread(target=self._rx, daemon=True)
        self.tx = threading.Thread(target=self._tx, daemon=True)
        self.rx.start()
        self.tx.start()
        return self

    def _rx(self):
        while not self.stop_evt.is_set():
            try:
                data = self.conn.recv(4096)
            except OSError:
                break
            if not data:
                break
            with self.lock:
                self.log += data
            if self.log_path:
                with open(self.log_path, "ab") as f:
                    f.write(data)
            if self.forward:
                try:
                    os.write(self.master, data)
                except OSError:
                    pass

    def _tx(self):
        while not self.stop_evt.is_set():
            r, _, _ = select.select([self.master], [], [], 0.1)
            if not r:
                continue
            try:
                data = os.read(self.master, 4096)
            except OSError:
                break
            if self.forward and data:
                try:
                    self.conn.sendall(data)
                except OSError:
                    break

    def wait_exit(self, timeout):
        """Wait for QEMU to end by itself; its exit code (None on timeout)."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self._close()
        return rc

    def kill(self):
        """Power off: QEMU is killed wherever the guest is."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self):
        if self.conn:
            self.stop_evt.set()
            try:
                self.conn.close()
            except OSError:
                pass
            self.rx.join(2)
            self.tx.join(2)
            self.conn = None

    def close(self):
        self.kill()
        os.close(self.master)
        os.close(self.slave)

    # ---- the UART log -----------------------------------------------------
    def text(self, since=0):
        with self.lock:
            return bytes(self.log[since:]).decode("latin-1")

    def mark(self):
        with self.lock:
            return len(self.log)

    def send(self, data):
        self.conn.sendall(data)

    def wait_for(self, pattern, since, timeout=20.0):
        """Wait until regex pattern appears in the log after position since;
        the match, or None on timeout (or when QEMU ended)."""
        rx = re.compile(pattern, re.M)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = rx.search(self.text(since))
            if m:
                return m
            if self.proc.poll() is not None:
                time.sleep(0.05)
                return rx.search(self.text(since))
            time.sleep(0.02)
        return None

    # ---- SMP client ---------------------------------------------------------
    def client(self, argv, timeout=120):
        """Run an SMP client on the pty; (exit code, stdout+stderr)."""
        termios.tcflush(self.slave, termios.TCIOFLUSH)
        self.forward = True
        try:
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=timeout)
            return p.returncode, p.stdout + p.stderr
        except subprocess.TimeoutExpired:
            return -1, "timeout"
        finally:
            self.forward = False
