"""At scale, for real: a `prefect server` on 127.0.0.1 backed by PostgreSQL, deployments from prefect.yaml,
a process worker, the application database on PostgreSQL; harvest and publish run through the worker against
local fixture sources — publish started by prefect.yaml's trigger on the review-decision event."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from prefect.client.schemas.objects import StateType
from sqlalchemy import create_engine, text

from publish.release import MANIFEST
from store import items_repo
from store.db import make_engine, session_factory, transaction, upgrade
from tests.conftest import PG_SERVER
from tests.flows.conftest import write_catalog
from tests.flows.test_run import wait_for_triggered_publish
from tests.httpserver import TestServer, free_port

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.prefect
PREFECT = [sys.executable, "-m", "prefect"]


@pytest.fixture
def prefect_db(pg_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for the Prefect server itself."""
    name = "prefect_" + uuid.uuid4().hex[:10]
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _cli(args: list[str], env: dict[str, str], timeout: float = 180) -> str:
    done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_server_on_postgres_deploy_worker_harvest_publish(
    tmp_path: Path,
    prefect_db: str,
    pg_url: str,
    server: TestServer,
) -> None:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    base = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
            "PREFECT_HOME": str(tmp_path / "prefect")}  # fmt: skip
    server_env = {**base, "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db}
    server_env.pop("PREFECT_API_URL", None)
    catalog = write_catalog(tmp_path / "catalog.yaml", server)
    app_env = {
        **base,
        "PREFECT_API_URL": api,
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "RUBRIK_HOME": str(REPO),
        "RUBRIK_DATABASE_URL": pg_url,
        "RUBRIK_CATALOG": str(catalog),
        "RUBRIK_SITE_DIR": str(tmp_path / "site"),
        "RUBRIK_FETCH_ALLOW_HOSTS": server.host_port,
        "RUBRIK_FETCH_PER_HOST_DELAY": "0",
    }
    engine = make_engine(pg_url)
    upgrade(engine)
    prefect_server = _start([*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)], server_env,
                            tmp_path / "server.log")  # fmt: skip
    worker = None
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("Prefect server did not come up: " + (tmp_path / "server.log").read_text()[-2000:])
        _cli([*PREFECT, "work-pool", "create", "rubrik", "--type", "process"], app_env)
        _cli([*PREFECT, "--no-prompt", "deploy", "--all"], app_env)
        worker = _start(
            [*PREFECT, "worker", "start", "--pool", "rubrik", "--limit", "2"], app_env, tmp_path / "worker.log"
        )
        _cli([*PREFECT, "deployment", "run", "harvest/harvest", "--watch", "--watch-timeout", "240"], app_env, 300)
        with transaction(session_factory(engine)) as session:
            pending = items_repo.pending_ids(session)
            assert len(pending) >= 6
            items_repo.approve(session, pending, actor="test", now=datetime.now(UTC))
        # the decision event, sent as the web layer sends it: prefect.yaml's trigger starts the publish run
        decided_at = datetime.now(UTC)
        _cli([sys.executable, "-c", "from flows.decisions import announce_decision; announce_decision()"], app_env)
        run, runs, _ = wait_for_triggered_publish(api, decided_at, timeout=90)
        summary = [(r.name, r.state, r.created_by) for r in runs]
        assert run is not None and run.state_type == StateType.COMPLETED, summary
        assert run.created_by is not None and run.created_by.display_value == "nach Prüfung"
        assert not run.auto_scheduled
        manifest = json.loads((tmp_path / "site" / "current" / MANIFEST).read_text())
        assert "index.html" in manifest["files"]
        assert "Überbrückungshilfe" in (tmp_path / "site" / "current" / "index.html").read_text()
    finally:
        if worker is not None:
            _stop(worker)
        _stop(prefect_server)
        engine.dispose()
