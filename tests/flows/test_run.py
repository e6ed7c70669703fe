"""`rubrik run --demo` end to end: local Prefect server child, served deployments, web, clean Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.prefect


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def harvested(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db) as connection:
            return int(connection.execute("SELECT count(*) FROM fetch_log WHERE status = 'ok'").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_run_demo_harvests_serves_and_stops_cleanly(tmp_path: Path) -> None:
    prefect_port, web_port = free_port(), free_port()
    env = {
        **os.environ,
        "RUBRIK_RUN_PREFECT_PORT": str(prefect_port),
        "RUBRIK_SERVE_PORT": str(web_port),
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    env.pop("PREFECT_API_URL", None)
    for name in [name for name in env if name.startswith("RUBRIK_") and name.endswith(("_URL", "CATALOG", "DIR"))]:
        env.pop(name)
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", "import cli; cli.main()", "run", "--demo", "--state-dir", str(tmp_path / "var")],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    db = tmp_path / "var" / "demo" / "rubrik.db"
    try:
        deadline = time.monotonic() + 150
        while harvested(db) < 7 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(1)
        output = (tmp_path / "run.log").read_text(errors="replace")
        assert harvested(db) == 7, output
        assert "Demo-Anmeldung" in output
        staff = httpx.get(f"http://127.0.0.1:{web_port}/staff/login", timeout=5)
        assert staff.status_code == 200 and "Anmelden" in staff.text
        assert httpx.get(f"http://127.0.0.1:{prefect_port}/api/health", timeout=5).status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGINT) if process.poll() is None else None
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        log.close()
    assert process.returncode == 0, (tmp_path / "run.log").read_text(errors="replace")[-3000:]
    with pytest.raises(httpx.HTTPError):  # the Prefect server child is gone too
        httpx.get(f"http://127.0.0.1:{prefect_port}/api/health", timeout=2)
