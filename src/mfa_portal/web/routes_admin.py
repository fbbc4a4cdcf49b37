"""The support console at ``/admin`` (members of ``admins`` signed in with MFA) and ``/dev/outbox``.

Every page depends on ``require_admin`` and every form on ``verify_csrf``. The actions are the ones
the CLI runs (``mfa_portal.admin.actions``), so both write the same audit entries; the actor is
``admin:<username>`` and the source the client address.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from mfa_portal.admin import actions, lookup
from mfa_portal.admin.audit import (
    KINDS,
    OK,
    AuditFilter,
    AuditFilterError,
    parse_filter,
    write_csv,
    write_jsonl,
)
from mfa_portal.admin.display import safe, shown
from mfa_portal.admin.enrolments import ENROL_ACTION
from mfa_portal.admin.self_service import device_of
from mfa_portal.admin.signin_audit import ACTIONS as SIGNIN_ACTIONS
from mfa_portal.admin.signin_audit import KINDS as SIGNIN_KINDS
from mfa_portal.admin.signin_audit import SUPPRESSED_ACTION
from mfa_portal.admin.support import ActionFailed, ActionResult, Actor, Support
from mfa_portal.cognito_api.client import CognitoError
from mfa_portal.loopback import direct_from_loopback
from mfa_portal.web import console_guard
from mfa_portal.web.console_forms import (
    ATTRIBUTES,
    FORMS,
    METHODS,
    SETTINGS,
    Problems,
    SubmittedAction,
    check,
    mismatch,
)
from mfa_portal.web.deps import SignedInUser, require_admin, verify_csrf
from mfa_portal.web.portal import get_portal
from mfa_portal.web.responses import render
from mfa_portal.web.strings import t

router = APIRouter()
Admin = Annotated[SignedInUser, Depends(require_admin)]
Field = Annotated[str, Form()]
ActionFields = Annotated[SubmittedAction, Form()]
USER_ACTIONS = tuple(FORMS)
#: Actions the audit view offers in its filter, grouped as the console shows them.
AUDIT_ACTIONS: dict[str, tuple[str, ...]] = {
    "support": (*USER_ACTIONS, "create"),
    "self-service": (ENROL_ACTION, "recovery-codes issue", "recovery-reset"),
    "sign-in": (*SIGNIN_ACTIONS, SUPPRESSED_ACTION),
}

USER_PAGE = "/admin/user"


def user_url(username: str) -> str:
    """The console page of ``username``, any name Cognito allows (``a/../bob``, ``..``, ``100%``,
    ``a?b#c``): the name travels in the query, percent-encoded, never as a path segment that a
    browser would normalise (``a/../bob`` → bob's page) or a router would split (``a/b`` → 405)."""
    return f"{USER_PAGE}?{urlencode({'username': username}, quote_via=quote)}"


# How pages show user text (admin/display.py, as the CLI does): escaped, look-alike names marked.
DISPLAY: dict[str, Any] = {"shown": shown, "safe": safe, "user_url": user_url}

SEARCH_ROWS = 50  # each row costs one AdminGetUser (ListUsers has no MFA fields)
RECENT_ROWS = 10  # the user page's own audit entries
AUDIT_ROWS = 50  # one page of the audit view


def support_of(request: Request) -> Support:
    """The support actions the composition root gave this portal (its own client and pool)."""
    return get_portal(request).support


def actor_of(request: Request, admin: SignedInUser) -> Actor:
    return Actor(f"admin:{admin.username}", request.client.host if request.client else "")


@router.get("/admin", response_class=HTMLResponse)
def search(request: Request, admin: Admin, q: str = "", status: str = "") -> Response:
    status = status if status in lookup.STATUS_FILTERS else ""
    error = None
    support = support_of(request)
    try:
        users = lookup.search_users(support, q, status, limit=SEARCH_ROWS)
    except CognitoError as exc:
        users, error = [], t("admin.cognito_error", message=exc.message)
    mfa = lookup.mfa_of(support, users)
    return render(
        request,
        "admin/search.html",
        q=q,
        status=status,
        users=users,
        mfa=mfa,
        error=error,
        **DISPLAY,
    )


def _user_page(
    request: Request,
    username: str,
    status_code: int = 200,
    problems: Problems | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    """The user page, led by the authenticator reset and the user's own recent audit entries;
    ``problems`` of a submitted form open that form with its fields marked, ``typed`` refilled."""
    support = support_of(request)
    try:
        user = lookup.get_user(support, username)
    except CognitoError as exc:
        if exc.code != "UserNotFoundException":
            raise
        raise HTTPException(404) from None
    codes = None
    if support.recovery and "sub" in user.attributes:
        codes = support.recovery.remaining(support.pool_id, user.attributes["sub"])
    names = lookup.names_in_audit(user)  # sign-in failures carry the name as typed
    recent = support.audit.query(
        AuditFilter(target=user.username, target_aliases=names, limit=RECENT_ROWS)
    )
    counted = [
        p for n in names for p in (support.signin_audit.pending(n) if support.signin_audit else [])
    ]
    pending = [{"kind": p.kind, "count": p.count, "since": iso_time(p.since)} for p in counted]
    return render(
        request,
        "admin/user.html",
        status_code,
        user=user,
        recovery_codes=codes,
        recent=recent,
        pending=pending,
        signin_kinds=SIGNIN_KINDS,
        enrolment=_enrolment(support, user.username),
        problems=problems or Problems(""),
        typed=typed or {},
        forms=FORMS,
        methods=tuple(METHODS),
        settings_=tuple(SETTINGS),
        attributes_=ATTRIBUTES,
        short_time=short_time,
        **DISPLAY,
    )


def _enrolment(support: Support, username: str) -> dict[str, str | None] | None:
    """When the portal saw the current authenticator set up, and the device name the user gave:
    no Cognito operation reads either back, so the audit trail is the record."""
    found = support.audit.query(
        AuditFilter(target=username, action=ENROL_ACTION, outcome=OK, limit=1)
    )
    if not found:
        return None
    return {"at": found[0].time_iso, "device": device_of(found[0].detail)}


def iso_time(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def short_time(iso: str, zone: bool = False) -> str:
    """``2026-11-28T18:10:35Z`` as ``28 Nov 2026 18:10`` (German: ``28.11.2026 18:10``); the full
    value goes in the title. ``zone`` adds "UTC" where no column heading says it already."""
    try:
        moment = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return iso
    return moment.strftime(t("admin.time_format_utc" if zone else "admin.time_format"))


@router.get("/admin/users/new", response_class=HTMLResponse)
def new_user_form(request: Request, admin: Admin) -> Response:
    return render(request, "admin/create.html", error=None, username="", email="")


@router.post("/admin/users/new", dependencies=[Depends(verify_csrf)])
def create_user(
    request: Request,
    admin: Admin,
    username: Field = "",
    email: Field = "",
    reason: Field = "",
    deliver: Field = "show",
) -> Response:
    if not username.strip() or not email.strip():
        return render(
            request,
            "admin/create.html",
            400,
            error=t("admin.create.missing"),
            username=username,
            email=email,
        )
    mode: Literal["show", "email"] = "email" if deliver == "email" else "show"
    return _outcome(
        request,
        lambda s, a: actions.create_user(
            s, a, username.strip(), email.strip(), reason, deliver=mode
        ),
        admin,
    )


@router.get(USER_PAGE, response_class=HTMLResponse)
def user_page(request: Request, admin: Admin, username: str = "") -> Response:
    if not username:
        raise HTTPException(404)
    return _user_page(request, username)


@router.get("/admin/users/{username}", response_class=HTMLResponse)
def old_user_page(request: Request, admin: Admin, username: str) -> Response:
    """The page's address before ``USER_PAGE`` (bookmarks): fine for a name without "/"."""
    return _user_page(request, username)


@router.post(USER_PAGE + "/{action}", dependencies=[Depends(verify_csrf)])
def user_action(request: Request, admin: Admin, action: str, form: ActionFields) -> Response:
    """The user's forms: the name is a form field, so any name Cognito allows reaches it intact."""
    return _act(request, admin, form.username, action, form)


@router.post("/admin/users/{username}/{action}", dependencies=[Depends(verify_csrf)])
def old_user_action(
    request: Request, admin: Admin, username: str, action: str, form: ActionFields
) -> Response:
    """Forms rendered before ``USER_PAGE`` (a name without "/")."""
    return _act(request, admin, username, action, form)


def _act(
    request: Request, admin: SignedInUser, username: str, action: str, form: SubmittedAction
) -> Response:
    if action not in USER_ACTIONS or not username:
        raise HTTPException(404)
    typed = form.model_dump(exclude={"username"})
    problems = check(action, typed)
    if problems:
        return _user_page(request, username, 400, problems, _refill(action, typed))
    refused = console_guard.refusal(support_of(request), admin.username, action, username)
    if refused is not None:
        return render(request, "admin/result.html", 400, result=None, failure=refused, **DISPLAY)
    run = _runner(
        action,
        username,
        form.reason,
        form.confirm,
        METHODS[form.method] if action == "set-mfa" else "totp",
        SETTINGS[form.setting] if action == "set-mfa" else "enabled",
        form.attr_name,
        form.attr_value,
        form.verified == "yes",
        form.temporary == "yes",
    )
    try:
        result: ActionResult = run(support_of(request), actor_of(request, admin))
    except ActionFailed as exc:
        if exc.code == "ConfirmationMismatch":
            return _user_page(request, username, 400, mismatch(action), _refill(action, typed))
        return render(request, "admin/result.html", 400, result=None, failure=exc, **DISPLAY)
    if action == "signout" and result.target == admin.username:
        result.notes.append(t("admin.signout.self_note"))
    return render(request, "admin/result.html", result=result, failure=None, **DISPLAY)


def _refill(action: str, typed: dict[str, str]) -> dict[str, str]:
    """What the re-shown form keeps: everything but the confirmation (it must be given again)."""
    return {"action": action, **{k: v for k, v in typed.items() if k != "confirm"}}


def _runner(
    action: str,
    name: str,
    reason: str,
    confirm: str,
    method: actions.Method,
    setting: actions.MfaSetting,
    attr_name: str,
    attr_value: str,
    verified: bool,
    temporary: bool,
) -> Any:
    """The action function to run with ``(support, actor)``; the form was checked before."""
    simple = {
        "reset-mfa": actions.reset_mfa,
        "disable": actions.disable_user,
        "enable": actions.enable_user,
        "signout": actions.sign_out,
    }
    if action in simple:
        return lambda s, a: simple[action](s, a, name, reason)
    if action == "set-mfa":
        return lambda s, a: actions.set_mfa(s, a, name, method, setting, reason)
    if action == "set-attr":
        values = {attr_name.strip(): attr_value}
        return lambda s, a: actions.set_attributes(s, a, name, values, reason, verified=verified)
    if action == "reset-password":
        return lambda s, a: actions.reset_password(s, a, name, reason, temporary=temporary)
    return lambda s, a: actions.delete_user(s, a, name, reason, confirm=confirm)


def _outcome(request: Request, run: Any, admin: SignedInUser) -> Response:
    try:
        result: ActionResult = run(support_of(request), actor_of(request, admin))
    except ActionFailed as exc:
        return render(request, "admin/result.html", 400, result=None, failure=exc, **DISPLAY)
    return render(request, "admin/result.html", result=result, failure=None, **DISPLAY)


def _audit_filter(params: dict[str, str], limit: int) -> AuditFilter | None:
    """The filter the query asks for; None when a date cannot be read."""
    try:
        return parse_filter(params, limit=limit, ignore_unknown_outcome=True)
    except AuditFilterError:
        return None


def _other_action(action: str) -> str | None:
    """An action the filter's list does not offer (an older name, a typed URL): still selectable."""
    known = {name for names in AUDIT_ACTIONS.values() for name in names}
    return action if action and action not in known else None


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, admin: Admin) -> Response:
    params = dict(request.query_params)
    flt = _audit_filter(params, AUDIT_ROWS)
    error = None if flt is not None else t("admin.audit.bad_date")
    page = None
    if flt is not None:
        page = support_of(request).audit.page(
            flt, before=_cursor(params.get("before")), after=_cursor(params.get("after"))
        )
    filters = {k: v for k, v in params.items() if k not in ("before", "after")}
    return render(
        request,
        "admin/audit.html",
        page=page,
        f=params,
        filters=filters,
        error=error,
        kinds=tuple(KINDS),
        audit_actions=AUDIT_ACTIONS,
        other_action=_other_action(params.get("action", "")),
        short_time=short_time,
        more_open=any(params.get(k) for k in ("actor", "source")),
        **DISPLAY,
    )


@router.get("/admin/audit/export")
def audit_export(request: Request, admin: Admin, format: str = "csv") -> Response:
    flt = _audit_filter(dict(request.query_params), 0)
    if flt is None:
        raise HTTPException(400, detail="admin.audit.bad_date")
    if format not in ("csv", "jsonl"):
        raise HTTPException(400, detail="badrequest.export_format")
    out = io.StringIO()
    entries = list(reversed(support_of(request).audit.query(flt)))
    (write_csv if format == "csv" else write_jsonl)(entries, out)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    media = "text/csv" if format == "csv" else "application/x-ndjson"
    headers = {"Content-Disposition": f'attachment; filename="audit-{stamp}.{format}"'}
    return Response(out.getvalue(), media_type=media, headers=headers)


@router.get("/dev/outbox", response_class=HTMLResponse)
def dev_outbox(request: Request) -> Response:
    """Development only: the mail the portal would have sent, since no SMTP server is configured.

    Only for a request straight from this machine: through a proxy (even a local one) it is a 404,
    as if it did not exist, since it shows every code sent."""
    portal = get_portal(request)
    if (
        portal.settings.mode.value != "development"
        or portal.outbox is None
        or not direct_from_loopback(request.scope)
    ):
        raise HTTPException(404)
    messages = portal.outbox.messages()
    return render(
        request, "admin/outbox.html", messages=messages, iso_time=iso_time, short_time=short_time
    )
