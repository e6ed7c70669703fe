"""`rubrik run --demo` end to end: local Prefect server child, served deployments, web, the publish automation
after a review decision, clean Ctrl-C.

One `rubrik run` serves the whole module (starting it costs 15–25 s); the tests run in file order and the last
one stops it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from markupsafe import escape
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.events.schemas.automations import Automation, EventTrigger

from flows.decisions import DECISION_EVENT
from tests.httpserver import free_port

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.prefect
DEMO_SOURCES = 7
PASSWORD = "Fahrrad-Lampe-Gelb-42"
FEED_ID = "tag:landkreis-mittelsachsen.de,2020:rubrik:item:{}"


def harvested(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db) as connection:
            return int(connection.execute("SELECT count(*) FROM fetch_log WHERE status = 'ok'").fetchone()[0])
    except sqlite3.Error:
        return 0


@dataclass
class RunningRubrik:
    """A `rubrik run --demo` child process with its own state dir, ports and log."""

    tmp: Path
    env: dict[str, str]
    prefect_port: int
    web_port: int
    process: subprocess.Popen[bytes] = field(init=False)

    @property
    def db(self) -> Path:
        return self.tmp / "var" / "demo" / "rubrik.db"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.prefect_port}/api"

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def output(self) -> str:
        return (self.tmp / "run.log").read_text(errors="replace")

    def start(self) -> None:
        with (self.tmp / "run.log").open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "import cli; cli.main()", "run", "--demo", "--state-dir", str(self.tmp / "var")],
                cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def wait_for_first_harvest(self, timeout: float = 150) -> None:
        deadline = time.monotonic() + timeout
        while harvested(self.db) < DEMO_SOURCES and time.monotonic() < deadline and self.process.poll() is None:
            time.sleep(1)

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """`rubrik …` against the demo database of this run."""
        env = {**self.env, "RUBRIK_DATABASE_URL": f"sqlite:///{self.db}"}
        done = subprocess.run(
            [sys.executable, "-c", "import cli; cli.main()", *args],
            cwd=REPO, env=env, input=stdin, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def stop(self, timeout: float = 60) -> int:
        """Ctrl-C; returns the exit code (SIGKILL and raise when it does not stop in time)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRubrik]:
    tmp = tmp_path_factory.mktemp("run")
    env = {
        **os.environ,
        "RUBRIK_RUN_PREFECT_PORT": str(free_port()),
        "RUBRIK_SERVE_PORT": str(free_port()),
        # no scheduled publish while the module runs: a publish run it sees comes from the automation
        "RUBRIK_RUN_PUBLISH_INTERVAL": "3600",
        # serve() looks for due runs every 10 s by default; 2 s keeps the test short without loading the machine
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
        "PREFECT_HOME": str(tmp / "prefect"),
    }
    env.pop("PREFECT_API_URL", None)
    for name in [name for name in env if name.startswith("RUBRIK_") and name.endswith(("_URL", "CATALOG", "DIR"))]:
        env.pop(name)
    running = RunningRubrik(tmp, env, int(env["RUBRIK_RUN_PREFECT_PORT"]), int(env["RUBRIK_SERVE_PORT"]))
    running.start()
    try:
        running.wait_for_first_harvest()
        yield running
    finally:
        running.stop()


def test_run_demo_harvests_and_serves(demo_run: RunningRubrik) -> None:
    output = demo_run.output()
    assert harvested(demo_run.db) == DEMO_SOURCES, output
    assert "Demo-Anmeldung" in output
    staff = httpx.get(f"{demo_run.web}/staff/login", timeout=5)
    assert staff.status_code == 200 and "Anmelden" in staff.text
    assert httpx.get(f"{demo_run.api}/health", timeout=5).status_code == 200


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)


def approve_over_http(base: str, user: str, item: dict[str, Any]) -> None:
    """Log in through the staff form and approve ``item``'s current revision, as a reviewer would."""
    with httpx.Client(base_url=base, timeout=10) as http:
        form = http.get("/staff/login")
        login = {"name": user, "password": PASSWORD, "csrf": _hidden(form.text, "csrf"), "next": "/staff/"}
        assert http.post("/staff/login", data=login).status_code == 303
        csrf = _hidden(http.get("/staff/").text, "csrf")
        answer = http.post(f"/staff/queue/{item['id']}/approve", data={"revision": item["revision_id"], "csrf": csrf})
        assert answer.status_code == 303 and answer.headers["location"] == "/staff/", answer.headers


def wait_for_triggered_publish(
    api: str, since: datetime, timeout: float
) -> tuple[FlowRun | None, list[FlowRun], list[Automation]]:
    """The publish deployment's runs until one created by an automation after ``since`` is final; returns that
    run, all runs of the deployment, and the deployment's automations."""
    with SyncPrefectClient(api) as client:
        deployment = client.read_deployment_by_name("publish/publish")
        only_publish = DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))
        deadline = time.monotonic() + timeout
        while True:
            runs = client.read_flow_runs(deployment_filter=only_publish)
            triggered = [
                run for run in runs
                if run.created_by is not None and run.created_by.type == "AUTOMATION"
                and run.created is not None and run.created >= since
            ]  # fmt: skip
            done = [run for run in triggered if run.state is not None and run.state.is_final()]
            if done or time.monotonic() > deadline:
                break
            time.sleep(1)
        automations = [
            automation for automation in client.read_automations_by_name("nach Prüfung")
            if any(getattr(action, "deployment_id", None) == deployment.id for action in automation.actions)
        ]  # fmt: skip
    return (done[0] if done else None), runs, automations


def test_review_decision_starts_publish_through_the_automation(demo_run: RunningRubrik) -> None:
    """Approve in the staff UI → debounced `rubrik.review.decided` → the deployment's trigger (a Prefect
    automation) creates a publish run → the served runner runs it → the item is on the public site."""
    assert harvested(demo_run.db) == DEMO_SOURCES, demo_run.output()
    demo_run.cli("users", "add", "rita", "--role", "reviewer", "--password-stdin", stdin=PASSWORD + "\n")
    item = json.loads(demo_run.cli("items", "list", "--status", "pending", "--limit", "1", "--json"))[0]
    assert FEED_ID.format(item["id"]) not in httpx.get(f"{demo_run.web}/feeds/alle.json", timeout=5).text

    decided_at = datetime.now(UTC)
    approve_over_http(demo_run.web, "rita", item)
    run, runs, automations = wait_for_triggered_publish(demo_run.api, decided_at, timeout=90)
    waited = (datetime.now(UTC) - decided_at).total_seconds()

    summary = [(r.name, r.state_type, r.created_by, r.created, r.expected_start_time) for r in runs]
    assert run is not None, f"no publish run from the automation within {waited:.0f} s: {summary}\n{demo_run.output()}"
    assert run.state_type == StateType.COMPLETED, (run.state, demo_run.output()[-3000:])
    # created by the deployment's trigger, not by the schedule or by hand
    assert len(automations) == 1
    trigger = automations[0].trigger
    assert isinstance(trigger, EventTrigger) and trigger.expect == {DECISION_EVENT}, trigger
    assert run.created_by is not None
    assert run.created_by.id == automations[0].id and run.created_by.display_value == "nach Prüfung"
    assert not run.auto_scheduled
    assert all(r.auto_scheduled and r.state_type == StateType.SCHEDULED for r in runs if r.id != run.id), summary
    # and it published the approved item: on the served public site, in the feed and on the start page
    feed = httpx.get(f"{demo_run.web}/feeds/alle.json", timeout=5).json()
    assert FEED_ID.format(item["id"]) in [entry["id"] for entry in feed["items"]]
    assert str(escape(item["title"])) in httpx.get(f"{demo_run.web}/", timeout=5).text


def test_run_stops_cleanly_on_ctrl_c(demo_run: RunningRubrik) -> None:
    assert demo_run.stop() == 0, demo_run.output()[-3000:]
    with pytest.raises(httpx.HTTPError):  # the Prefect server child is gone too
        httpx.get(f"{demo_run.api}/health", timeout=2)


def test_tagging_reports_its_progress_in_the_flow_log(demo_run: RunningRubrik) -> None:
    """The tag-and-dedupe task logs the running total after each batch (flows/pipeline.enrich_in_batches)."""
    deadline = time.monotonic() + 60
    while not (found := re.search(r"tag-and-dedupe\S* - (\d+) Einträge verschlagwortet", demo_run.output())):
        assert time.monotonic() < deadline, demo_run.output()[-3000:]
        time.sleep(0.5)
    assert int(found.group(1)) > 0
