"""The public side of Kauf regional that needs a server: submit an entry, confirm it (double opt-in), and manage
it through the private link (update, withdraw, "still current"). ``create_directory_app(settings)`` returns a
FastAPI app whose routes all live under /kauf-regional; ``rubrik serve`` mounts it next to the staff app.

Every route declares the policy "public" in the same registry type the staff app uses. GET never changes
anything (mail scanners follow links): confirmation and owner actions are POSTs behind a signed form token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from fastapi import FastAPI
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from notify.mail import MailError, mail_configured, send_mail
from process.directory import CATEGORIES, OFFER_TYPES, Business, form_values, parse_email, validate
from review.auth import Policy, PolicyRegistry, RouteSpec
from review.directory_form import HONEYPOT, TOKEN_FIELD, BodyTooLarge, FormSigner, form_state, raw_entry, read_form
from review.directory_mail import confirmation_mail
from review.security import SecurityHeaders, client_info, new_token, token_hash
from settings import Settings
from sources.catalog import FORMER_TOWNS, TOWNS
from store import directory_repo
from store.db import check_schema, make_engine, session_factory, transaction
from store.directory_repo import NewEntry
from store.items_repo import DecisionError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

PREFIX = "/kauf-regional"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
CSS = TEMPLATES / "public" / "directory" / "directory.css"


@dataclass
class DirectoryContext:
    settings: Settings
    factory: sessionmaker[Session]
    templates: Jinja2Templates
    signer: FormSigner
    mail: bool  # SMTP configured: double opt-in
    geocode: Any = None  # async (address) -> (lat, lon) | None, see sources/geocode.py


@dataclass(frozen=True, slots=True)
class FormPage:
    action: str
    values: dict[str, str]
    token: str
    errors: dict[str, str] = field(default_factory=dict)
    manage: bool = False
    status: str = ""
    mail_enabled: bool = False
    towns: tuple[str, ...] = TOWNS
    categories: dict[str, str] = field(default_factory=lambda: dict(CATEGORIES))
    offer_types: dict[str, str] = field(default_factory=lambda: dict(OFFER_TYPES))
    message: str = ""


def create_directory_app(settings: Settings, *, geocode: Any = None) -> FastAPI:
    engine = make_engine(settings.database_url)
    check_schema(engine)
    fetcher = None
    if geocode is None and settings.geocoder_url:
        from review.directory_ops import make_geocoder  # the ops module imports this one

        made = make_geocoder(settings)
        geocode, fetcher = made if made is not None else (None, None)
    ctx = DirectoryContext(
        settings, session_factory(engine), _templates(), FormSigner.from_secret(settings.directory_secret),
        mail_configured(settings), geocode,
    )  # fmt: skip
    app = FastAPI(title="Kauf regional", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.directory = ctx
    app.state.policies = registry = PolicyRegistry()
    for spec in routes(ctx):
        registry.declare(spec)
        app.add_api_route(spec.path, spec.endpoint, methods=[spec.method], name=spec.name, include_in_schema=False)
    app.add_middleware(SecurityHeaders, static_prefix=PREFIX + "/directory.css")
    app.router.add_event_handler("shutdown", engine.dispose)
    if fetcher is not None:
        app.router.add_event_handler("shutdown", fetcher.aclose)
    return app


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip
    return Jinja2Templates(env=env)


def routes(ctx: DirectoryContext) -> list[RouteSpec]:
    p, public = PREFIX, Policy.PUBLIC
    return [
        RouteSpec("GET", f"{p}/eintragen", _bind(ctx, _new_form), public, "dir_form"),
        RouteSpec("POST", f"{p}/eintragen", _bind(ctx, _submit), public, "dir_submit"),
        RouteSpec("GET", f"{p}/bestaetigen/{{token}}", _bind(ctx, _confirm_page), public, "dir_confirm_page"),
        RouteSpec("POST", f"{p}/bestaetigen/{{token}}", _bind(ctx, _confirm), public, "dir_confirm"),
        RouteSpec("GET", f"{p}/verwalten/{{token}}", _bind(ctx, _manage_page), public, "dir_manage"),
        RouteSpec("POST", f"{p}/verwalten/{{token}}", _bind(ctx, _manage), public, "dir_update"),
        RouteSpec("POST", f"{p}/verwalten/{{token}}/{{action}}", _bind(ctx, _owner_action), public, "dir_owner"),
        RouteSpec("GET", f"{p}/directory.css", _css, public, "dir_css"),
    ]


def _bind(ctx: DirectoryContext, handler: Callable[[DirectoryContext, Request], Awaitable[Response]]) -> Any:
    async def endpoint(request: Request) -> Response:
        return await handler(ctx, request)

    return endpoint


async def _css() -> Response:
    return FileResponse(CSS, media_type="text/css")


def render(ctx: DirectoryContext, request: Request, template: str, page: Any, status_code: int = 200) -> Response:
    return ctx.templates.TemplateResponse(request, template, {"page": page, "prefix": PREFIX}, status_code=status_code)


def _message(ctx: DirectoryContext, request: Request, text: str, status_code: int = 200) -> Response:
    return render(ctx, request, "public/directory/message.html", {"text": text, "link": ""}, status_code)


async def _new_form(ctx: DirectoryContext, request: Request) -> Response:
    page = FormPage(f"{PREFIX}/eintragen", form_state({}), ctx.signer.issue("submit"), mail_enabled=ctx.mail)
    return render(ctx, request, "public/directory/form.html", page)


async def _submit(ctx: DirectoryContext, request: Request) -> Response:
    try:
        form = await read_form(request, ctx.settings.directory_max_body_bytes)
    except BodyTooLarge:
        return _message(ctx, request, "Die Eingaben sind zu umfangreich.", 413)
    check = ctx.signer.check(form.get(TOKEN_FIELD, ""), "submit", min_seconds=ctx.settings.directory_min_submit_seconds)
    if check == "invalid":
        return _message(ctx, request, "Sicherheitstoken fehlt oder ist ungültig. Bitte das Formular neu laden.", 403)
    raw = raw_entry(form)
    if check in ("expired", "too_fast"):
        hint = "Das Formular war zu lange geöffnet." if check == "expired" else "Das ging sehr schnell."
        return _form_again(
            ctx, request, raw, form, {"form": f"{hint} Bitte prüfen Sie die Angaben und senden Sie erneut."}, 400
        )
    if form.get(HONEYPOT, ""):  # a bot: say thanks, keep nothing
        return _message(ctx, request, "Vielen Dank! Ihr Eintrag wird geprüft.")
    if not await run_in_threadpool(
        _within_rate_limit, ctx, client_info(request, ctx.settings.review_trusted_proxies, False).ip
    ):
        return _message(ctx, request, "Zu viele Einträge von Ihrem Anschluss. Bitte später erneut versuchen.", 429)
    return await _create(ctx, request, raw, form)


def _form_again(ctx: DirectoryContext, request: Request, raw: dict[str, str], form: dict[str, str],
                errors: dict[str, str], status: int) -> Response:  # fmt: skip
    values = form_state({**raw, "submitter_email": form.get("submitter_email", "")})
    page = FormPage(f"{PREFIX}/eintragen", values, ctx.signer.issue("submit"), errors, mail_enabled=ctx.mail)
    return render(ctx, request, "public/directory/form.html", page, status)


def _within_rate_limit(ctx: DirectoryContext, ip: str) -> bool:
    now = datetime.now(UTC)
    window = timedelta(minutes=ctx.settings.directory_rate_window_minutes)
    ip_hash = ctx.signer.ip_hash(ip)
    with transaction(ctx.factory) as session:
        if directory_repo.recent_submissions(session, ip_hash, now - window) >= ctx.settings.directory_rate_limit:
            return False
        directory_repo.record_submission(session, ip_hash, now, forget_before=now - window)
    return True


async def _create(ctx: DirectoryContext, request: Request, raw: dict[str, str], form: dict[str, str]) -> Response:
    result = validate(raw, TOWNS, today=datetime.now(UTC).date(), former_towns=FORMER_TOWNS)
    submitter = form.get("submitter_email", "").strip()
    errors = dict(result.errors)
    if (submitter and parse_email(submitter) is None) or (ctx.mail and not submitter):
        errors["submitter_email"] = "Bitte Ihre E-Mail-Adresse für die Bestätigung angeben."
    if errors or result.business is None:
        return _form_again(ctx, request, raw, form, errors, 422)
    business = await _with_coordinates(ctx, result.business)
    edit_token = new_token()
    confirm_token = new_token() if ctx.mail else None
    entry = NewEntry(
        business, "form", token_hash(edit_token), "formular", status="unconfirmed" if confirm_token else "pending",
        confirm_token_hash=token_hash(confirm_token) if confirm_token else None,
        submitter_email=parse_email(submitter) or "",
    )  # fmt: skip
    try:
        await run_in_threadpool(_store_and_mail, ctx, entry, edit_token, confirm_token)
    except MailError:
        text = "Die Bestätigungs-E-Mail konnte nicht versandt werden. Bitte später erneut versuchen."
        return _message(ctx, request, text, 503)
    if confirm_token:
        text = (
            "Vielen Dank! Wir haben Ihnen eine E-Mail geschickt. Bitte bestätigen Sie den Eintrag über den Link darin."
        )
        return render(ctx, request, "public/directory/message.html", {"text": text, "link": ""})
    text = (
        "Vielen Dank! Ihr Eintrag wird geprüft. Mit diesem privaten Link können Sie ihn ändern oder "
        "zurückziehen – bitte aufbewahren:"
    )
    return render(
        ctx, request, "public/directory/message.html", {"text": text, "link": manage_url(ctx.settings, edit_token)}
    )


def _store_and_mail(ctx: DirectoryContext, entry: NewEntry, edit_token: str, confirm_token: str | None) -> None:
    """The entry is committed only if the confirmation mail went out (else the owner could never confirm)."""
    with transaction(ctx.factory) as session:
        directory_repo.create(session, entry, datetime.now(UTC))
        if confirm_token:
            confirm = _absolute(ctx.settings, f"bestaetigen/{confirm_token}")
            subject, body = confirmation_mail(entry.business.name, confirm, manage_url(ctx.settings, edit_token))
            send_mail(ctx.settings, [entry.submitter_email], subject, body)


async def _with_coordinates(ctx: DirectoryContext, business: Business) -> Business:
    if ctx.geocode is None or business.lat is not None or not business.address:
        return business
    found = await ctx.geocode(f"{business.address}, {business.postcode} {business.town}".strip())
    if found is None:
        return business
    return replace(business, lat=found[0], lon=found[1])


def is_form_path(path: str) -> bool:
    """The paths this app answers; everything else under /kauf-regional/ is the published directory."""
    return path in (f"{PREFIX}/eintragen", f"{PREFIX}/directory.css") or path.startswith(
        (f"{PREFIX}/bestaetigen/", f"{PREFIX}/verwalten/")
    )


def manage_url(settings: Settings, edit_token: str) -> str:
    return _absolute(settings, f"verwalten/{edit_token}")


def _absolute(settings: Settings, path: str) -> str:
    base = settings.directory_base_url
    return (base if base.endswith("/") else base + "/") + path


# -- double opt-in -------------------------------------------------------------------------------------------


async def _confirm_page(ctx: DirectoryContext, request: Request) -> Response:
    page = {"token": ctx.signer.issue("confirm"), "action": request.url.path}
    return render(ctx, request, "public/directory/confirm.html", page)


async def _confirm(ctx: DirectoryContext, request: Request) -> Response:
    form = await _small_form(ctx, request)
    if form is None or ctx.signer.check(form.get(TOKEN_FIELD, ""), "confirm", min_seconds=0) != "ok":
        return _message(ctx, request, "Sicherheitstoken fehlt oder ist ungültig. Bitte den Link erneut öffnen.", 403)
    token_digest = token_hash(request.path_params["token"])
    with transaction(ctx.factory) as session:
        confirmed = directory_repo.confirm_email(session, token_digest, datetime.now(UTC))
    if confirmed is None:
        return _message(ctx, request, "Dieser Bestätigungslink ist ungültig oder wurde schon benutzt.", 404)
    return _message(
        ctx, request, "Danke! Ihr Eintrag ist bestätigt und wird jetzt von der Wirtschaftsförderung geprüft."
    )


async def _small_form(ctx: DirectoryContext, request: Request) -> dict[str, str] | None:
    try:
        return await read_form(request, ctx.settings.directory_max_body_bytes)
    except BodyTooLarge:
        return None


# -- the private link ----------------------------------------------------------------------------------------


def _entry(ctx: DirectoryContext, token: str) -> directory_repo.EntryView | None:
    with transaction(ctx.factory) as session:
        return directory_repo.by_edit_token(session, token_hash(token))


async def _manage_page(ctx: DirectoryContext, request: Request) -> Response:
    entry = await run_in_threadpool(_entry, ctx, request.path_params["token"])
    if entry is None:
        return _message(ctx, request, "Dieser Link ist ungültig.", 404)
    page = FormPage(
        request.url.path,
        form_state(form_values(entry.current)),
        ctx.signer.issue("manage"),
        manage=True,
        status=entry.status,
    )
    return render(ctx, request, "public/directory/form.html", page)


async def _manage(ctx: DirectoryContext, request: Request) -> Response:
    token = request.path_params["token"]
    form = await _small_form(ctx, request)
    entry = await run_in_threadpool(_entry, ctx, token)
    if entry is None:
        return _message(ctx, request, "Dieser Link ist ungültig.", 404)
    if form is None or ctx.signer.check(form.get(TOKEN_FIELD, ""), "manage", min_seconds=0) != "ok":
        return _message(ctx, request, "Sicherheitstoken fehlt oder ist ungültig. Bitte die Seite neu laden.", 403)
    raw = raw_entry(form)
    result = validate(raw, TOWNS, today=datetime.now(UTC).date(), former_towns=FORMER_TOWNS)
    if result.business is None:
        page = FormPage(
            request.url.path, form_state(raw), ctx.signer.issue("manage"), dict(result.errors), True, entry.status
        )
        return render(ctx, request, "public/directory/form.html", page, 422)
    business = await _with_coordinates(ctx, result.business)
    try:
        with transaction(ctx.factory) as session:
            directory_repo.propose_update(session, entry.id, business, actor="betrieb", now=datetime.now(UTC))
    except DecisionError as exc:
        return _message(ctx, request, str(exc), 409)
    return _message(ctx, request, "Danke! Die Änderung wird geprüft; bis dahin bleibt die bisherige Fassung sichtbar.")


async def _owner_action(ctx: DirectoryContext, request: Request) -> Response:
    token, action = request.path_params["token"], request.path_params["action"]
    form = await _small_form(ctx, request)
    entry = await run_in_threadpool(_entry, ctx, token)
    if entry is None or action not in ("zurueckziehen", "aktuell"):
        return _message(ctx, request, "Dieser Link ist ungültig.", 404)
    if form is None or ctx.signer.check(form.get(TOKEN_FIELD, ""), "manage", min_seconds=0) != "ok":
        return _message(ctx, request, "Sicherheitstoken fehlt oder ist ungültig. Bitte die Seite neu laden.", 403)
    now = datetime.now(UTC)
    try:
        with transaction(ctx.factory) as session:
            if action == "zurueckziehen":
                directory_repo.withdraw(session, entry.id, actor="betrieb", now=now)
            else:
                directory_repo.reconfirm(session, entry.id, actor="betrieb", now=now)
    except DecisionError as exc:
        return _message(ctx, request, str(exc), 409)
    if action == "zurueckziehen":
        return _message(
            ctx, request, "Ihr Eintrag wurde zurückgezogen und verschwindet mit der nächsten Veröffentlichung."
        )
    return _message(ctx, request, "Danke für die Bestätigung! Ihr Eintrag bleibt im Verzeichnis.")
