"""``rubrik run``: everything on one machine with one command.

A local Prefect server on 127.0.0.1 (SQLite under ``var/prefect``) as a child process — ``serve()`` creates no
scheduled runs against Prefect's temporary in-process server —, the deployments served from this process, and
the staff UI + public site on one uvicorn server. Ctrl-C stops it all cleanly: deployments are not left
paused, the server child is terminated. With ``--demo`` a bundled sample of sources is served from 127.0.0.1.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import httpx

from settings import Settings, load_settings

log = logging.getLogger("rubrik.run")
PREFECT_QUIET = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}


class RunError(RuntimeError):
    """Something `rubrik run` needs did not come up; the message says what and where to look."""


class LocalPrefectServer:
    """``prefect server start`` on 127.0.0.1 as a child process, with its log under var/."""

    def __init__(self, port: int, home: Path) -> None:
        self.port, self.home = port, home
        self.api_url = f"http://127.0.0.1:{port}/api"
        self.log_path = home / "server.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> None:
        if _answers(self.api_url):
            raise RunError(
                f"Port {self.port} ist belegt (läuft schon ein Prefect-Server?). RUBRIK_RUN_PREFECT_PORT ändern."
            )
        self.home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **PREFECT_QUIET, "PREFECT_HOME": str(self.home)}
        env.pop("PREFECT_API_URL", None)
        command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(self.port)]
        with open(self.log_path, "ab") as log_file:
            self._process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
                command, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RunError(f"Der Prefect-Server hat sich beendet; siehe {self.log_path}.")
            if _answers(self.api_url):
                return
            time.sleep(0.5)
        self.stop()
        raise RunError(f"Der Prefect-Server antwortet nach {timeout:.0f} s nicht; siehe {self.log_path}.")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _answers(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


class WebServer:
    """The staff UI and the public site on one uvicorn server in a background thread."""

    def __init__(self, settings: Settings, *, announce: bool) -> None:
        import uvicorn

        from webapp import create_site, decision_announcer

        site = create_site(settings, on_decision=decision_announcer(always=True) if announce else None)
        config = uvicorn.Config(
            site, host=settings.serve_host, port=settings.serve_port, proxy_headers=False, server_header=False,
            access_log=False, log_level="warning",
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="rubrik-web", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@contextmanager
def demo_environment(var: Path) -> Iterator[dict[str, str]]:
    """Serve the bundled demo sources and point rubrik at them (own catalog, database and site)."""
    from demo.server import DemoServer

    with DemoServer() as demo:
        catalog = demo.write_catalog(var / "demo" / "catalog.yaml")
        yield {
            "RUBRIK_CATALOG": str(catalog),
            "RUBRIK_DATABASE_URL": f"sqlite:///{var / 'demo' / 'rubrik.db'}",
            "RUBRIK_SITE_DIR": str(var / "demo" / "site"),
            "RUBRIK_FETCH_ALLOW_HOSTS": demo.host_port,
            "RUBRIK_FETCH_PER_HOST_DELAY": "0",
        }


def prepare(settings: Settings) -> None:
    """Schema up to date and catalog loaded (what `rubrik init` does)."""
    from flows.pipeline import sync_catalog
    from store.db import make_engine, session_factory, upgrade

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        sync_catalog(settings, session_factory(engine))
    finally:
        engine.dispose()


def ensure_demo_user(settings: Settings) -> str | None:
    """A reviewer account for the demo; returns its new password (None when it already exists)."""
    from review.passwords import hash_password
    from store import users_repo
    from store.db import make_engine, session_factory, transaction

    engine = make_engine(settings.database_url)
    try:
        with transaction(session_factory(engine)) as session:
            if users_repo.find_user(session, "demo") is not None:
                return None
            password = secrets.token_urlsafe(12)
            users_repo.add_user(session, "demo", hash_password(password), "admin", datetime.now(UTC))
            return password
    finally:
        engine.dispose()


def first_harvest_soon(stop: threading.Event) -> None:
    """Start one harvest as soon as the served deployment exists, instead of waiting for the schedule."""
    from prefect.deployments import run_deployment

    for _ in range(120):  # serve() registers the deployments within seconds; after two minutes, the schedule rules
        if stop.is_set():
            return
        try:
            run_deployment(name="harvest/harvest", timeout=0)
            return
        except Exception:  # not registered yet
            stop.wait(1.0)
    log.warning("Erster Abruf nicht gestartet; er folgt nach Zeitplan (RUBRIK_RUN_HARVEST_INTERVAL).")


def run(*, demo: bool = False, var: Path = Path("var"), say: Callable[[str], None] = print) -> None:
    """Start everything and serve until Ctrl-C."""
    var = var.resolve()
    os.environ.update(PREFECT_QUIET)
    os.environ.setdefault("PREFECT_HOME", str(var / "prefect"))
    with _maybe_demo(demo, var) as extra_env:
        os.environ.update(extra_env)
        settings = load_settings()
        prepare(settings)
        server: LocalPrefectServer | None = None
        web: WebServer | None = None
        stop = threading.Event()
        try:
            if not os.environ.get("PREFECT_API_URL"):
                server = LocalPrefectServer(settings.run_prefect_port, Path(os.environ["PREFECT_HOME"]))
                server.start()
                os.environ["PREFECT_API_URL"] = server.api_url
            web = WebServer(settings, announce=True)
            web.start()
            _greet(settings, demo, say)
            threading.Thread(target=first_harvest_soon, args=(stop,), daemon=True).start()
            _serve(settings)
        finally:
            stop.set()
            if web is not None:
                web.stop()
            if server is not None:
                server.stop()


@contextmanager
def _maybe_demo(demo: bool, var: Path) -> Iterator[dict[str, str]]:
    if not demo:
        yield {}
        return
    with demo_environment(var) as env:
        yield env


def _greet(settings: Settings, demo: bool, say: Callable[[str], None]) -> None:
    base = f"http://{settings.serve_host}:{settings.serve_port}"
    say(f"Prüfoberfläche: {base}/staff/   Öffentliche Rubrik: {base}/   Prefect: {os.environ['PREFECT_API_URL'][:-4]}")
    if demo:
        password = ensure_demo_user(settings)
        if password:
            say(f"Demo-Anmeldung: Benutzer „demo“, Passwort „{password}“ (nur diese Demo-Datenbank).")
    say("Beenden mit Strg+C.")


def _serve(settings: Settings) -> None:
    from prefect import serve

    from flows.deployments import runner_deployments

    serve(*runner_deployments(settings), pause_on_shutdown=False, print_starting_message=False)
