"""The support console's sentences added for the user page and the audit view (German:
``strings_console_de``)."""

from __future__ import annotations

STRINGS_CONSOLE: dict[str, str] = {
    "admin.nav.label": "Support console",
    "admin.time_format": "%d %b %Y %H:%M",  # strftime; Python keeps LC_TIME at "C", so %b is English
    "admin.time_format_utc": "%d %b %Y %H:%M UTC",  # where no heading says the zone
    "admin.form.problem": "{form}: {problem}",
    "admin.form.choose_method": "choose a method.",
    "admin.form.choose_setting": "choose a setting.",
    "admin.form.choose_attribute": "choose an attribute.",
    "admin.form.give_reason": "give a reason for this action.",
    "admin.form.reason_too_long": "the reason is too long: at most 500 characters.",
    "admin.form.tick": "tick the box to confirm.",
    "admin.form.type_name": "type the username to confirm.",
    "admin.form.name_mismatch": "the name you typed is not this username; type it exactly.",
    "admin.form.choose": "Choose…",
    "admin.user.summary": "Account",
    "admin.user.recent": "Recent activity",
    "admin.user.recent_all": "All audit entries for {username}",
    "admin.user.recent_none": "No audit entries for this user yet.",
    "admin.user.pending.one": "Sign-in failures since {since} not listed one by one: {count} "
    "more – {what}.",
    "admin.user.pending.other": "Sign-in failures since {since} not listed one by one: {count} "
    "more – {what}.",
    "admin.user.authenticator": "Authenticator",
    "admin.user.device": "Device name",
    "admin.user.enrolled_at": "Set up",
    "admin.user.not_recorded": "not recorded by the portal",
    "admin.user.not_named": "no name given",
    "admin.user.more_actions": "More actions",
    "admin.user.danger": "Destructive actions",
    "admin.user.danger_hint": "Each asks for a reason and a confirmation, and is kept in the "
    "audit trail.",
    "admin.user.confirm_name_hint": "Type {username} exactly.",
    "admin.user.reset_password.hint": "The current password stops working. By default a reset "
    "code is emailed to the user.",
    "admin.user.signout.hint": "Ends every session of the user, in the portal and in the apps.",
    "admin.user.disable.hint": "The user cannot sign in until the account is enabled again; "
    "every session ends.",
    "admin.user.enable.hint": "The user can sign in again.",
    "admin.user.set_mfa.hint": "For example, switch a user without a phone to email codes.",
    "admin.badge.enabled": "Enabled",
    "admin.badge.disabled": "Disabled",
    "admin.badge.no_mfa": "No MFA",
    "admin.audit.more_filters": "More filters",
    "admin.audit.kind": "Kind",
    "admin.audit.kind.support": "Support actions",
    "admin.audit.kind.self-service": "Self-service",
    "admin.audit.kind.sign-in": "Sign-in failures",
    "admin.audit.source": "Address",
    "admin.audit.paging": "Entries {first}–{last} of {total}",
    "admin.audit.none": "No entries match these filters.",
    "admin.audit.newer": "Newer entries",
    "admin.audit.older": "Older entries",
    "admin.audit.newest": "Newest",
    "admin.audit.clear": "Clear",
    "admin.audit.pages": "Pages",
    "admin.audit.export": "Export",
    "admin.refused.own_disable": "You cannot disable your own account here: you would lose the "
    "console at once. Ask another administrator.",
    "admin.refused.own_delete": "You cannot delete your own account here: you would lose the "
    "console at once. Ask another administrator.",
    "admin.refused.last_disable": "This is the last administrator: disabling them would leave "
    "nobody who can open the console. Grant another administrator first.",
    "admin.refused.last_delete": "This is the last administrator: deleting them would leave "
    "nobody who can open the console. Grant another administrator first.",
    "admin.signout.self_note": "This was your own account: your session here has ended too, so "
    "the next page asks you to sign in again.",
}
