"""A real threaded HTTP server on 127.0.0.1 for tests and benchmarks.

Routes map a path (without query) to a handler ``(Request) -> Response``. A Response body may be bytes
or an iterable of chunks written with ``chunk_delay`` seconds between them (slow drip, endless bodies);
``length`` overrides Content-Length (truncation); ``delay`` (per response or per server) adds latency.
Every request is recorded with its start and end time and the server tracks the peak number of requests
in flight, so politeness limits can be asserted.

    with TestServer() as srv:
        srv.add_route("/feed", static(b"<rss/>", "application/rss+xml"))
        url = srv.url("/feed"); allow = {srv.host_port}
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago, for servers a test or benchmark starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Any, *, lifespan: Literal["on", "off"] = "on", timeout: float = 10.0) -> Iterator[str]:
    """An ASGI ``app`` served by a real uvicorn on 127.0.0.1 in a thread, as ``rubrik serve`` serves it; yields
    the base URL ("http://127.0.0.1:PORT"). Leaving the block shuts the server down (with ``lifespan="on"``
    the app's shutdown handlers run before this returns)."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan=lifespan))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    started: float  # time.monotonic()
    replied: float | None = None  # when the response started to be written (after any delay)
    ended: float | None = None
    server: TestServer | None = field(default=None, repr=False)
    client_port: int = 0  # the client's side of the TCP connection: equal ports = a reused connection


@dataclass
class Response:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    length: int | None = None  # Content-Length to announce; default len(body) for bytes, none for iterables
    chunk_delay: float = 0.0  # seconds between chunks of an iterable body
    delay: float = 0.0  # seconds before the response starts


Handler = Callable[[Request], Response]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128  # benchmarks open many connections at once
    owner: TestServer


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr
        pass

    def do_GET(self) -> None:
        self.server.owner._handle(self)

    do_HEAD = do_GET
    do_POST = do_GET


class TestServer:
    """One listening port with a route table; several instances give several "hosts"."""

    __test__ = False  # not a pytest test class

    def __init__(
        self, routes: dict[str, Handler] | None = None, *, delay: float = 0.0, host: str = "127.0.0.1"
    ) -> None:
        self.routes: dict[str, Handler] = dict(routes or {})
        self.delay = delay
        self.requests: list[Request] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()
        self._httpd = _Server((host, 0), _RequestHandler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"http://{self.host_port}{path}"

    def add_route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def route(self, path: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.add_route(path, handler)
            return handler

        return register

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def max_overlap(self, path: str | None = None) -> int:
        """Peak number of requests between arrival and reply; exact, unlike ``max_active``, which can
        count a request whose client already has the full answer (its thread has not finished yet)."""
        with self._lock:
            done = [r for r in self.requests if r.replied is not None and path in (None, r.path)]
        events = sorted([(r.started, 1) for r in done] + [(r.replied or 0.0, -1) for r in done])
        peak = current = 0
        for _when, step in events:
            current += step
            peak = max(peak, current)
        return peak

    def reset_stats(self) -> None:
        with self._lock:
            self.requests.clear()
            self.max_active = 0

    def start(self) -> TestServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() would wait forever for a loop that never ran
            self._httpd.shutdown()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> TestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request handling (server threads)

    def _handle(self, h: _RequestHandler) -> None:
        parts = urlsplit(h.path)
        request = Request(
            method=h.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in h.headers.items()},
            started=time.monotonic(),
            server=self,
            client_port=int(h.client_address[1]),
        )
        with self._lock:
            self.requests.append(request)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            handler = self.routes.get(parts.path, _not_found)
            response = handler(request)
            time.sleep(self.delay + response.delay)
            request.replied = time.monotonic()
            _write(h, response)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            h.close_connection = True
        finally:
            request.ended = time.monotonic()
            with self._lock:
                self.active -= 1


def _write(h: _RequestHandler, response: Response) -> None:
    body = response.body
    length = response.length
    if length is None and isinstance(body, bytes):
        length = len(body)
    h.send_response(response.status)
    for name, value in response.headers.items():
        h.send_header(name, value)
    if length is not None and "content-length" not in {n.lower() for n in response.headers}:
        h.send_header("Content-Length", str(length))
    if length is None or (isinstance(body, bytes) and length != len(body)):
        h.send_header("Connection", "close")
        h.close_connection = True
    h.end_headers()
    if h.command == "HEAD":
        return
    chunks: Iterable[bytes] = [body] if isinstance(body, bytes) else body
    for index, chunk in enumerate(chunks):
        if index and response.chunk_delay:
            time.sleep(response.chunk_delay)
        h.wfile.write(chunk)
        h.wfile.flush()


def _not_found(_request: Request) -> Response:
    return Response(404, b"not found", {"Content-Type": "text/plain"})


# -- handler factories


def static(
    body: bytes | str, content_type: str = "text/plain; charset=utf-8", status: int = 200, **headers: str
) -> Handler:
    """Always answer the same; keyword headers use underscores for dashes (``Retry_After="5"``)."""
    data = body.encode() if isinstance(body, str) else body
    extra = {name.replace("_", "-"): value for name, value in headers.items()}

    def handler(_request: Request) -> Response:
        return Response(status, data, {"Content-Type": content_type, **extra})

    return handler


def redirect(location: str, status: int = 302) -> Handler:
    return lambda _request: Response(status, b"", {"Location": location})


def conditional(body: bytes, etag: str, last_modified: str, content_type: str = "application/rss+xml") -> Handler:
    """200 with validators, 304 when the request carries a matching If-None-Match or If-Modified-Since."""

    def handler(request: Request) -> Response:
        validators = {"ETag": etag, "Last-Modified": last_modified}
        if request.headers.get("if-none-match") == etag or request.headers.get("if-modified-since") == last_modified:
            return Response(304, b"", validators)
        return Response(200, body, {"Content-Type": content_type, **validators})

    return handler


def sequence(*handlers: Handler) -> Handler:
    """The n-th call is answered by the n-th handler; the last one repeats."""
    calls = iter(range(10**9))

    def handler(request: Request) -> Response:
        return handlers[min(next(calls), len(handlers) - 1)](request)

    return handler


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)


def deflate_bytes(data: bytes, raw: bool = False) -> bytes:
    obj = zlib.compressobj(wbits=-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    return obj.compress(data) + obj.flush()


def gzip_bomb(size: int, chunk: int = 1 << 20) -> bytes:
    """gzip of ``size`` zero bytes, built without holding ``size`` bytes in memory."""
    obj = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(chunk)
    parts = [obj.compress(zeros[: min(chunk, size - done)]) for done in range(0, size, chunk)]
    return b"".join(parts) + obj.flush()


def drip(data: bytes, size: int = 1) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def endless(chunk: int = 65536) -> Iterator[bytes]:
    block = b"x" * chunk
    while True:
        yield block


LOGIN_PAGE = b"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Anmeldung</title></head>
<body><form method="post" action="/login"><label>Benutzername <input name="user"></label>
<label>Passwort <input type="password" name="password"></label><button>Anmelden</button></form></body></html>
"""
