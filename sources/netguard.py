"""SSRF guard: which addresses the network gate may reach.

Two layers, both used on the first hop and on every redirect hop:

* :func:`check_url` — static, without DNS: scheme, userinfo, literal IPs in every encoding a resolver
  accepts (``127.1``, ``0x7f000001``, ``2130706433``, ``0177.0.0.1``, ``[::ffff:127.0.0.1]``) and
  ``localhost`` names. Usable by the catalog loader and the admin UI.
* :class:`GuardedBackend` — an httpcore network backend that resolves the host name itself, refuses the
  connection if ANY resolved address is non-public, and then connects to the vetted IP. Check and connect
  use the same resolution, so DNS rebinding between them is impossible. TLS still verifies and sends SNI
  for the host name, because httpcore passes the name to ``start_tls`` separately.

``allow_hosts`` holds exact lower-case ``host:port`` pairs (IPv6 as ``[::1]:8080``) that are fetched
although not public — how tests and local fixtures reach 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore

from sources.errors import ConnectionFailed, InvalidURL, SSRFBlocked

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

DEFAULT_PORTS = {"http": 80, "https": 443}
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def host_key(host: str, port: int) -> str:
    """The ``host:port`` form used by allow lists; IPv6 literals in brackets."""
    host = host.lower().rstrip(".")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


def normalize_allow_hosts(entries: Iterable[str]) -> frozenset[str]:
    """Lower-case and bracket allow-list entries so they compare equal to :func:`host_key`."""
    result = set()
    for entry in entries:
        host, _, port = entry.strip().lower().rpartition(":")
        if host and port.isdigit():
            result.add(host_key(host.strip("[]"), int(port)))
    return frozenset(result)


def parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """Parse IPv4 the way URL parsers and ``inet_aton`` do (WHATWG "ends in a number" rule).

    Returns None for an ordinary host name; raises InvalidURL for a host that looks numeric but is not a
    valid address (``1.2.3.4.5``, ``256.1``), because resolvers disagree on those.
    """
    parts = host.split(".")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]
    if not parts or not _looks_numeric(parts[-1]):
        return None
    numbers = [_parse_ipv4_part(part, host) for part in parts]
    if len(numbers) > 4 or any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise InvalidURL("Ungültige IPv4-Adresse", url=host)
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _looks_numeric(part: str) -> bool:
    if part.isdigit():
        return True
    return part[:2] in ("0x", "0X") and all(c in "0123456789abcdefABCDEF" for c in part[2:])


def _parse_ipv4_part(part: str, host: str) -> int:
    try:
        if part[:2] in ("0x", "0X"):
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part[1:], 8)
        return int(part, 10)
    except ValueError:
        raise InvalidURL("Ungültige IPv4-Adresse", url=host) from None


def is_public_ip(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses; embedded IPv4 is judged by the embedded one."""
    if ip in _METADATA:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None or ip.scope_id:
            return False  # mapped addresses reach IPv4 hosts behind the IPv6 socket: refuse outright
        embedded = ip.sixtofour or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if embedded is not None:
            return is_public_ip(embedded)
        if ip.teredo is not None:
            return False
        if ip.is_site_local:
            return False
    return ip.is_global and not (
        ip.is_multicast or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified
    )


def literal_ip(host: str) -> IPAddress | None:
    """The address a host string denotes literally (any IPv4 encoding, bracketed or bare IPv6), else None."""
    bare = host.strip("[]")
    if ":" in bare:
        try:
            return ipaddress.IPv6Address(bare)
        except ValueError:
            raise InvalidURL("Ungültige IPv6-Adresse", url=host) from None
    return parse_ipv4_loose(bare)


def split_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL without userinfo; InvalidURL otherwise."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise InvalidURL("Adresse nicht lesbar", url=url) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidURL("Nur http- und https-Adressen sind erlaubt", url=url)
    if "@" in parts.netloc:
        raise InvalidURL("Zugangsdaten in der Adresse sind nicht erlaubt", url=url)
    host = (parts.hostname or "").rstrip(".")
    if not host or any(c in host for c in " \t\r\n\\%"):
        raise InvalidURL("Adresse ohne gültigen Host", url=url)
    return scheme, host, port if port is not None else DEFAULT_PORTS[scheme]


def check_url(url: str, allow_hosts: Iterable[str] = ()) -> None:
    """Refuse, without DNS, a URL the gate must not fetch. Raises InvalidURL or SSRFBlocked."""
    _scheme, host, port = split_url(url)
    allowed = allow_hosts if isinstance(allow_hosts, frozenset) else normalize_allow_hosts(allow_hosts)
    if host_key(host, port) in allowed:
        return
    if host == "localhost" or host.endswith(".localhost"):
        raise SSRFBlocked("localhost wird nicht abgerufen", url=url)
    ip = literal_ip(host)
    if ip is not None and not is_public_ip(ip):
        raise SSRFBlocked(f"Nicht öffentliche Adresse {ip}", url=url)


async def system_resolver(host: str, port: int) -> list[str]:
    """All addresses of ``host`` via the system resolver, run in a thread by the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve once, refuse non-public answers, connect to the vetted addresses only."""

    def __init__(
        self,
        allow_hosts: frozenset[str],
        *,
        resolver: Resolver = system_resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._allow = allow_hosts
        self._resolve = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def vetted_addresses(self, host: str, port: int) -> list[str]:
        allowed = host_key(host, port) in self._allow
        ip = literal_ip(host)
        if ip is not None:
            addresses = [str(ip)]
        else:
            try:
                addresses = await self._resolve(host, port)
            except OSError as exc:
                raise ConnectionFailed(f"Name nicht auflösbar: {exc}", url=host) from exc
        if not addresses:
            raise ConnectionFailed("Name ohne Adresse", url=host)
        if not allowed:
            for address in addresses:
                if not is_public_ip(ipaddress.ip_address(address.split("%")[0])):
                    raise SSRFBlocked(f"{host} zeigt auf nicht öffentliche Adresse {address}", url=host)
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        last: Exception | None = None
        for address in await self.vetted_addresses(host, port):
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise SSRFBlocked("Unix-Sockets werden nicht verwendet", url=path)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
