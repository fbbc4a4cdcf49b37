"""The forms of the console's user page: which fields each action has, and what is missing.

Every problem is worded with the form's title and the field ("Reset the authenticator: give a
reason"), so a summary at the top of a long page says where to look; all problems of a form are
reported at once. Nothing is preselected where a choice changes how a user signs in: the method,
the setting and the attribute must be chosen, and an unchosen one is an error here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from mfa_portal.admin import actions
from mfa_portal.admin.support import clean_reason, reason_problem
from mfa_portal.web.strings import t

Confirm = Literal["tick", "name"]


class SubmittedAction(BaseModel):
    """What a user action form sends; each action reads the fields it has. ``username`` is a
    field, not a path segment, so a name with "/", "..", "%", "?" or "#" arrives as it is."""

    username: str = ""
    reason: str = ""
    confirm: str = ""
    method: str = ""
    setting: str = ""
    attr_name: str = ""
    attr_value: str = ""
    verified: str = ""
    temporary: str = ""


@dataclass(frozen=True)
class ActionForm:
    action: str
    destructive: bool = False
    confirm: Confirm = "tick"

    @property
    def title(self) -> str:
        return t(f"admin.user.{self.action.replace('-', '_')}.title")


FORMS: dict[str, ActionForm] = {
    form.action: form
    for form in (
        ActionForm("reset-mfa"),
        ActionForm("set-mfa"),
        ActionForm("set-attr"),
        ActionForm("reset-password", destructive=True),
        ActionForm("signout"),
        ActionForm("disable", destructive=True),
        ActionForm("enable"),
        ActionForm("delete", destructive=True, confirm="name"),
    )
}
METHODS: dict[str, actions.Method] = {"totp": "totp", "email": "email", "sms": "sms"}
SETTINGS: dict[str, actions.MfaSetting] = {
    "preferred": "preferred",
    "enabled": "enabled",
    "disabled": "disabled",
}
ATTRIBUTES = ("email", "phone_number", "name")


@dataclass
class Problems:
    """The problems of one submitted form, by field name (``reason``, ``confirm``, ``method``…)."""

    action: str
    fields: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def field_id(self, name: str) -> str:
        return f"{self.action}-{name}"


def _problem(form: ActionForm, key: str, **values: str) -> str:
    return t("admin.form.problem", form=form.title, problem=t(key, **values))


def check(action: str, values: dict[str, str]) -> Problems:
    """Everything missing or unusable in the submitted ``values`` of ``action``'s form."""
    form = FORMS[action]
    found = Problems(action)
    if action == "set-mfa":
        if values.get("method") not in METHODS:
            found.fields["method"] = _problem(form, "admin.form.choose_method")
        if values.get("setting") not in SETTINGS:
            found.fields["setting"] = _problem(form, "admin.form.choose_setting")
    if action == "set-attr":
        if values.get("attr_name") not in ATTRIBUTES:
            found.fields["attr_name"] = _problem(form, "admin.form.choose_attribute")
    reason = clean_reason(values.get("reason", ""))
    if not reason:
        found.fields["reason"] = _problem(form, "admin.form.give_reason")
    elif reason_problem(reason):
        found.fields["reason"] = _problem(form, "admin.form.reason_too_long")
    if form.confirm == "tick" and values.get("confirm") != "yes":
        found.fields["confirm"] = _problem(form, "admin.form.tick")
    if form.confirm == "name" and not values.get("confirm"):
        found.fields["confirm"] = _problem(form, "admin.form.type_name")
    return found


def mismatch(action: str) -> Problems:
    """The typed username did not match (the action itself decided, and audited the attempt)."""
    form = FORMS[action]
    return Problems(action, {"confirm": _problem(form, "admin.form.name_mismatch")})
