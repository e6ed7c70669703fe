"""A throwaway Dovecot IMAP server on 127.0.0.1 (TLS with a fresh self-signed certificate) for one test."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.httpserver import free_port

DOVECOT = Path("/usr/sbin/dovecot")
USER, PASSWORD = "wifoe", "Postfach-Test-2026"

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
auth_mechanisms = plain
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
"""


@dataclass(frozen=True)
class Dovecot:
    root: Path
    port: int

    @property
    def ca_file(self) -> str:
        return str(self.root / "cert.pem")


def available() -> str | None:
    """None when a test server can run, else the reason to skip."""
    if not DOVECOT.exists():
        return "dovecot is not installed (apt-get install -y dovecot-imapd; scripts/setup does it when apt works)"
    if not shutil.which("openssl"):
        return "openssl is not installed (needed for the test server's certificate)"
    return None


@contextmanager
def running() -> Iterator[Dovecot]:
    # not under pytest's tmp_path (mode 700): dovecot's auth and mail processes run as other users
    root = Path(tempfile.mkdtemp(prefix="rubrik-dovecot-"))
    os.chmod(root, 0o755)
    try:
        yield from _serve(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _serve(root: Path) -> Iterator[Dovecot]:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"),
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    home = root / "home"
    home.mkdir()
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:  # dovecot refuses to deliver as root: the mail processes run as "nobody"
        nobody = pwd.getpwnam("nobody")
        uid, gid = nobody.pw_uid, nobody.pw_gid
        os.chown(home, uid, gid)
    port = free_port()
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=port, uid=uid, gid=gid))
    process = subprocess.Popen([str(DOVECOT), "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait(port, process)
        yield Dovecot(root, port)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise RuntimeError(f"dovecot exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("dovecot did not start listening")
