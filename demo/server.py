"""Serves demo/data on 127.0.0.1 with ETag/304 and robots.txt, like a well-behaved real site."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# The demo serves the realistic pages written for the parser tests (one copy of each, in the checkout).
DATA = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
CATALOG = Path(__file__).with_name("catalog.yaml")

# URL path → (file under tests/fixtures, Content-Type)
ROUTES: dict[str, tuple[str, str]] = {
    "/medienservice/smwa.rss": ("feed/medienservice_rss2.xml", "application/rss+xml; charset=utf-8"),
    "/ihk/corona.atom": ("feed/ihk_atom10.xml", "application/atom+xml; charset=utf-8"),
    "/sab/news.json": ("feed/sab_jsonfeed.json", "application/feed+json; charset=utf-8"),
    "/hwk/aktuelles.html": ("listing/hwk_chemnitz_aktuelles.html", "text/html; charset=utf-8"),
    "/mittweida/news.html": ("listing/mittweida_typo3_news.html", "text/html; charset=utf-8"),
    "/rosswein/category/corona-virus/": ("listing/rosswein_wordpress_category.html", "text/html; charset=utf-8"),
    "/landkreis/informationen-fuer-unternehmen.html": (
        "page/mittelsachsen_informationen_unternehmen.html",
        "text/html; charset=utf-8",
    ),
    "/robots.txt": ("", "text/plain; charset=utf-8"),
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "rubrik-demo"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the harvest reports what matters
        pass

    def do_GET(self) -> None:  # http.server's naming
        route = ROUTES.get(self.path.split("?", 1)[0])
        if route is None:
            self._send(404, b"Nicht gefunden", "text/plain; charset=utf-8", None)
            return
        name, content_type = route
        body = (DATA / name).read_bytes() if name else b"User-agent: *\nAllow: /\n"
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", content_type, etag)
        else:
            self._send(200, body, content_type, etag)

    def _send(self, status: int, body: bytes, content_type: str, etag: str | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


class DemoServer:
    """``with DemoServer() as demo: demo.base`` → ``http://127.0.0.1:PORT``."""

    def __init__(self, port: int = 0) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="rubrik-demo", daemon=True)

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    @property
    def base(self) -> str:
        return f"http://{self.host_port}"

    def start(self) -> DemoServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def write_catalog(self, target: Path) -> Path:
        """The demo catalog with this server's address filled in."""
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(CATALOG.read_text(encoding="utf-8").replace("{base}", self.base), encoding="utf-8")
        return target
