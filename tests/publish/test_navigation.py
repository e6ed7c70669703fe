"""Navigation of the published rubric: the Kauf-regional directory, sector × town pages."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from publish.publisher import run_publish
from settings import Settings
from tests.publish.conftest import STANDARD
from tests.publish.seed import NOW, add_approved


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def _resolve(page: Path, href: str) -> Path:
    return (page.parent / href.split("#")[0]).resolve()


def test_the_kauf_regional_directory_is_linked_from_navigation_and_handel_page(
    site_db: tuple[Settings, sessionmaker[Session]],
) -> None:
    settings, factory = site_db
    add_approved(factory, STANDARD)
    assert run_publish(settings, now=NOW).status == "published"
    site = settings.site_dir / "current"
    for page in (site / "index.html", site / "thema" / "weitere.html", site / "branche" / "handel.html"):
        html = page.read_text()
        nav = html[html.index('<nav class="filter"') : html.index("</nav>", html.index('<nav class="filter"'))]
        handel = nav[nav.index("branche/handel.html") :]
        assert "kauf-regional/index.html" in handel[: handel.index("</li></ul></li>")]
        targets = [_resolve(page, href) for href in _hrefs(nav) if "kauf-regional" in href]
        assert targets and all(target.is_file() for target in targets)  # the directory is in the release
    handel = (site / "branche" / "handel.html").read_text()
    intro = handel[handel.index('<p class="intro">') : handel.index('<nav class="filter"')]
    assert '<a href="../kauf-regional/index.html">' in intro


def test_town_pages_link_their_sector_pages_built_without_javascript(
    site_db: tuple[Settings, sessionmaker[Session]],
) -> None:
    settings, factory = site_db
    add_approved(factory, STANDARD)
    assert run_publish(settings, now=NOW).status == "published"
    site = settings.site_dir / "current"
    town = site / "ort" / "doebeln.html"
    related = re.search(r'<p class="related">(.*?)</p>', town.read_text())
    assert related is not None
    assert related.group(1) == 'Nach Branche: <a href="../ort/doebeln/handel.html">Handel/Kauf regional (1)</a>'
    combined = site / "ort" / "doebeln" / "handel.html"
    html = combined.read_text()
    assert "<title>Döbeln: Handel/Kauf regional – " in html and "Döbeln: Markt wieder geöffnet" in html
    assert "<script" not in html and "Soforthilfe: Antrag ab Montag" not in html  # county-wide: sector page
    assert '<a href="../../ort/doebeln.html">Alle Meldungen für Döbeln</a>' in html
    local = [h for h in _hrefs(html) if not h.startswith(("http", "#", "mailto:", "tel:"))]
    assert local and all(_resolve(combined, href).is_file() for href in local)  # every link works from depth 2
    assert not (site / "ort" / "doebeln" / "handwerk.html").exists()  # empty combinations are not built
    assert not (site / "ort" / "freiberg").exists()  # Freiberg's item has no sector
    assert '<p class="related">' not in (site / "ort" / "freiberg.html").read_text()
