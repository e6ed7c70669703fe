"""Addresses to coordinates, only through the configured service (RUBRIK_GEOCODER_URL, Nominatim-compatible:
``?q=…&format=jsonv2&limit=1`` answers ``[{"lat": "…", "lon": "…"}]``) and only through the one network gate.

Nothing is sent anywhere when the setting is empty. A hit outside Saxony counts as no hit.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from process.directory import LAT_RANGE, LON_RANGE
from sources.errors import FetchError
from sources.fetch import Fetcher


class GeocodeError(RuntimeError):
    """The geocoder could not be asked or gave an unreadable answer (the address itself may be fine)."""


def query_url(base_url: str, address: str) -> str:
    params = urlencode({"q": address, "format": "jsonv2", "limit": "1", "countrycodes": "de"})
    return base_url + ("&" if "?" in base_url else "?") + params


async def geocode(fetcher: Fetcher, base_url: str, address: str) -> tuple[float, float] | None:
    """(lat, lon) of ``address`` in Saxony, or None when the service knows no such place."""
    try:
        result = await fetcher.fetch(query_url(base_url, address), accept="application/json")
    except FetchError as exc:
        raise GeocodeError(f"Geocoder nicht erreichbar: {exc}") from exc
    try:
        hits = json.loads(result.body)
        if not hits:
            return None
        lat, lon = float(hits[0]["lat"]), float(hits[0]["lon"])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise GeocodeError("Antwort des Geocoders nicht lesbar.") from exc
    if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
        return None
    return round(lat, 6), round(lon, 6)
