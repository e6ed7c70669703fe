"""The one settings object of rubrik.

Built once at an entrypoint (``rubrik`` CLI, a Prefect flow, a test) with :func:`load_settings` and passed
down; nothing else reads the environment. Sources, in order of precedence: keyword arguments, environment
variables with prefix ``RUBRIK_``, the optional TOML file ``rubrik.toml`` (or the file named by
``RUBRIK_CONFIG``), the defaults below. Every field is documented in README.md (a test checks that).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_USER_AGENT = (
    "rubrik/0.1 (Wirtschaftsfoerderung Landkreis Mittelsachsen; "
    "+https://www.wirtschaft-in-mittelsachsen.de; mailto:wirtschaft@landkreis-mittelsachsen.de)"
)


class Settings(BaseSettings):
    """Every setting of rubrik. Env var = ``RUBRIK_`` + upper-case field name."""

    model_config = SettingsConfigDict(env_prefix="RUBRIK_", extra="forbid", frozen=True)

    # -- storage and files
    database_url: str = Field("sqlite:///var/rubrik.db", description="SQLAlchemy URL of the application database.")
    catalog: Path = Field(Path("sources/catalog.yaml"), description="Source catalog (YAML).")
    site_dir: Path = Field(Path("var/site"), description="Where published releases are written.")

    # -- the network gate
    user_agent: str = Field(DEFAULT_USER_AGENT, description="User-Agent with a contact address.")
    fetch_allow_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="host:port pairs that may be fetched although not public (comma-separated).",
    )
    fetch_connect_timeout: float = Field(10.0, gt=0, description="Seconds to establish a connection.")
    fetch_read_timeout: float = Field(20.0, gt=0, description="Seconds between two received chunks.")
    fetch_deadline: float = Field(45.0, gt=0, description="Wall-clock limit for one fetch, all redirects.")
    fetch_max_bytes: int = Field(10_000_000, gt=0, description="Cap on the decompressed body in bytes.")
    fetch_max_redirects: int = Field(5, ge=0, description="Redirects followed per fetch.")
    fetch_per_host_concurrency: int = Field(2, ge=1, description="Parallel requests to one host.")
    fetch_per_host_delay: float = Field(
        0.5, ge=0, description="Seconds between the starts of two requests to one host."
    )
    fetch_max_retry_after: float = Field(
        3600.0, ge=0, description="Longest Retry-After (seconds) honoured before backing off by schedule."
    )
    harvest_concurrency: int = Field(16, ge=1, description="Sources fetched at once in a harvest run.")
    harvest_backoff_max: float = Field(
        86400.0, gt=0, description="Longest back-off (seconds) of a failing source; it is still probed."
    )

    # -- publishing (issue 5): the public page, feeds, widget, releases, serving
    public_base_url: str = Field(
        "https://www.landkreis-mittelsachsen.de/wirtschaft/rubrik/",
        description="Absolute URL under which the published site is reachable (feeds, embed snippets).",
    )
    public_title: str = Field("Corona-Wirtschaftsrubrik Mittelsachsen", description="Title of the public page.")
    contact_hotline: str = Field("", description="Telephone hotline of the contact block; empty hides it.")
    contact_email: str = Field("wirtschaft@landkreis-mittelsachsen.de", description="E-mail of the contact block.")
    contact_chat: str = Field("", description="URL of a chat offer (contact block); empty hides it.")
    contact_messenger: str = Field(
        "", description="Messenger contact, e.g. a Threema ID (contact block); empty hides it."
    )
    publish_keep_releases: int = Field(5, ge=1, description="Releases kept in site_dir/releases (current included).")
    publish_shrink_limit: float = Field(
        0.5, ge=0, le=1, description="Refuse a release with fewer than this share of the previous one's items."
    )
    publish_feed_items: int = Field(30, ge=1, description="Newest items per feed.")
    publish_widget_items: int = Field(15, ge=1, description="Newest items per widget page.")
    publish_section_items: int = Field(
        20, ge=1, description="Items per topic section on the main page (the topic page lists all)."
    )
    public_host: str = Field("127.0.0.1", description="Address `rubrik serve-public` listens on.")
    public_port: int = Field(8081, ge=1, le=65535, description="Port `rubrik serve-public` listens on.")

    # -- staff review web app (issue 4)
    serve_host: str = Field("127.0.0.1", description="Address `rubrik serve` listens on.")
    serve_port: int = Field(8000, ge=1, le=65535, description="Port `rubrik serve` listens on.")
    serve_workers: int = Field(
        1, ge=1, le=64, description="Processes of `rubrik serve` (one per core; sessions and throttle live in the DB)."
    )
    serve_threads: int = Field(
        4, ge=1, le=64, description="Worker threads per `rubrik serve` process for database work and page rendering."
    )
    review_session_idle_minutes: int = Field(30, ge=1, description="A staff session ends after this idle time.")
    review_session_absolute_hours: int = Field(10, ge=1, description="A staff session ends this long after login.")
    review_cookie_secure: bool = Field(False, description="Always mark the session cookie Secure (app behind https).")
    review_trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Proxy addresses whose X-Forwarded-For/-Proto are believed (comma-separated).",
    )
    review_login_max_failures: int = Field(5, ge=1, description="Failed logins per user and address before a pause.")
    review_login_window_minutes: int = Field(15, ge=1, description="Window (and pause) of the login throttle.")
    review_password_min_length: int = Field(12, ge=8, description="Shortest password `rubrik users add` accepts.")
    review_page_size: int = Field(50, ge=5, le=500, description="Items per queue page.")
    review_counts_ttl: float = Field(
        10.0, ge=0, description="Seconds the per-filter counts of the queue are cached (0: always fresh)."
    )

    # -- operations (issue 6): leases, alerts, housekeeping, `rubrik run`
    harvest_lease_seconds: int = Field(
        900, ge=60, description="How long a run holds a host (no other run fetches it meanwhile)."
    )
    alert_after_failures: int = Field(3, ge=1, description="Consecutive failures before staff are told.")
    fetch_log_retention_days: int = Field(90, ge=1, description="Days the fetch log is kept.")
    run_prefect_port: int = Field(4200, ge=1, le=65535, description="Port of the local Prefect server of `rubrik run`.")
    run_harvest_interval: int = Field(300, ge=30, description="Seconds between harvest runs under `rubrik run`.")
    run_publish_interval: int = Field(120, ge=30, description="Seconds between publish runs under `rubrik run`.")
    run_maintenance_cron: str = Field("0 3 * * *", description="When maintenance runs (cron, Europe/Berlin).")

    # -- e-mail (double opt-in, reminders, alerts); empty host = no e-mail is sent
    smtp_host: str = Field("", description="SMTP server; empty: rubrik sends no e-mail.")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port.")
    smtp_user: str = Field("", description="SMTP login (empty: no login).")
    smtp_password: str = Field("", description="SMTP password.")
    smtp_from: str = Field("wirtschaft@landkreis-mittelsachsen.de", description="Sender address of rubrik's mail.")
    smtp_starttls: bool = Field(True, description="Use STARTTLS (port 587); false for a local relay.")
    alert_emails: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Who is told about broken sources (comma-separated addresses)."
    )

    # -- Kauf regional directory (issue 7)
    directory_base_url: str = Field(
        "http://127.0.0.1:8000/kauf-regional/",
        description="Absolute URL of the directory's form app (links in e-mails end up here).",
    )
    directory_secret: str = Field(
        "", description="Key that signs the public form's tokens; empty: a random key per process."
    )
    directory_min_submit_seconds: float = Field(
        3.0, ge=0, description="A form sent back faster than this is treated as a bot."
    )
    directory_rate_limit: int = Field(5, ge=1, description="Form submissions per client address and window.")
    directory_rate_window_minutes: int = Field(60, ge=1, description="Window of the per-address form limit.")
    directory_max_body_bytes: int = Field(32_768, ge=1024, description="Largest accepted form body in bytes.")
    directory_reconfirm_days: int = Field(
        180, ge=1, description="Days after the last confirmation when an entry is asked whether it is still current."
    )
    directory_grace_days: int = Field(
        30, ge=0, description="Days after that question before an unconfirmed entry leaves the public directory."
    )
    map_tile_url: str = Field(
        "", description="Tile URL template ({z}/{x}/{y}) of the directory map; empty: no map, no requests."
    )
    map_attribution: str = Field("", description="Attribution text shown under the map (tile licence).")
    geocoder_url: str = Field(
        "", description="Nominatim-compatible search URL for addresses without coordinates; empty: none."
    )

    @field_validator("fetch_allow_hosts", "review_trusted_proxies", "alert_emails", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("RUBRIK_CONFIG", "rubrik.toml"))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))


# -- e-mail intake (issue 8)
_SECRET_NAME = re.compile(r"RUBRIK_MAILBOX_[A-Z0-9_]{1,60}")


def read_secret(name: str) -> str | None:
    """A secret the catalog names by its variable (a mailbox password): never stored in the catalog.

    Only ``RUBRIK_MAILBOX_…`` names are read, so a catalog entry cannot send another secret of the process
    environment to a mail server. Read at the entrypoint (the harvest) like every other setting.
    """
    if not _SECRET_NAME.fullmatch(name):
        return None
    return os.environ.get(name) or None


def load_settings(**overrides: Any) -> Settings:
    """Build the settings at an entrypoint; ``overrides`` win over environment and file."""
    return Settings(**overrides)
