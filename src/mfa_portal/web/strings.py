"""Every sentence the portal shows, in one place so the pages can be translated.

Templates call ``t("key")``; code refers to keys, never to literal sentences. ``{name}`` placeholders
are filled with ``str.format`` from values the portal controls (never raw Cognito messages).

Plurals: a call with ``count=n`` uses ``key.one`` when n is 1 and ``key.other`` otherwise, when the
catalog has them (a language with more plural forms adds its own rule in ``_plural_form``). Keys
whose last part ends in ``_html`` hold trusted markup: their placeholders are HTML-escaped and the
result is not escaped again by the templates.

Languages: ``CATALOGS`` holds one catalog per language. Each is complete (a test fails on an
English key without German); ``t`` still falls back to English per key, so a gap shows English,
never a bare key. The language of the request being served is a
context variable (set from ``Accept-Language`` by ``web.language``), so ``t`` in a route and in
a template agree without passing the language around.
"""

from __future__ import annotations

import re
from contextvars import ContextVar, Token

from markupsafe import Markup

from mfa_portal.web.strings_console import STRINGS_CONSOLE
from mfa_portal.web.strings_de import STRINGS_DE

STRINGS: dict[str, str] = {
    "app.name": "Sign-in portal",
    "support.contact": "Support: {contact}",
    "nav.home": "Home",
    "nav.account": "Your account",
    "nav.signout": "Sign out",
    "nav.admin": "Support console",
    "nav.signin": "Sign in",
    "nav.label": "Main",
    "skip": "Skip to main content",
    "error.summary": "There is a problem",
    # sign in
    "signin.title": "Sign in",
    "signin.username": "Username or email address",
    "signin.password": "Password",
    "signin.submit": "Sign in",
    "signin.missing": "Enter your username or email address and your password.",
    "signin.username_missing": "Enter your username or email address.",
    "signin.password_missing": "Enter your password.",
    "signin.incorrect": "Incorrect username or password.",
    "signin.locked": "Too many failed attempts. Wait a few minutes, then try again.",
    "signin.address_limited": "Too many failed sign-ins came from your network address. Wait a few "
    "minutes, then try again.",
    "signin.disabled": "This account is disabled. Contact your administrator.",
    "signin.reset_required": "Your password must be reset. Enter the reset code we emailed you.",
    "signin.not_confirmed": "This account is not confirmed yet. Contact your administrator.",
    "signin.temp_expired": "Your temporary password has expired. Ask your administrator for a new one.",
    "signin.expired": "Your sign-in took too long and has expired. Please sign in again.",
    "signin.restart": "This sign-in cannot continue. Please sign in again.",
    "signin.unavailable": "Sign-in is unavailable right now. Please try again later.",
    "signin.signed_out": "You have been signed out.",
    "signin.signed_out_everywhere": "You have been signed out on every device.",
    "signin.factor_not_asked": "This account has an authenticator, but sign-in did not ask for its "
    "code, so you cannot continue. If you lost your authenticator, use a recovery code or contact "
    "support.",
    "signin.session_ended": "Your session has ended. Please sign in again.",
    "signin.password_reset": "Your password has been changed. Sign in with your new password; "
    "you will still be asked for your second sign-in step.",
    "signin.forgot": "Forgot your password?",
    "signin.ended.reset": "You were signed out because your authenticator was reset. Sign in "
    "again, then set up your authenticator app.",
    "signin.ended.everywhere": "You were signed out on every device. Sign in again to continue.",
    "signin.ended.ended": "Your session has ended. Please sign in again.",
    "signin.ended.password": "Your password was changed, so you were signed out here. Sign in with "
    "the new password.",
    "signin.ended.idle": "You were signed out because the portal was not used for a while. Sign in "
    "again to continue.",
    "signin.ended.limit": "Your session reached its maximum length and has ended. Sign in again to "
    "continue.",
    "signin.ended.expired": "Your sign-in took too long and has expired. Sign in again to continue.",
    "signin.switch_method": "Enter your password again to continue with your authenticator app.",
    # sign out (the page an app links to)
    "signout.title": "Sign out",
    "signout.intro": "Do you want to sign out of the portal and every app that uses it in this browser?",
    "signout.submit": "Sign out",
    "signout.cancel": "Stay signed in",
    # self-service password reset
    "forgot.title": "Reset your password",
    "forgot.intro": "Enter your username or email address. If it belongs to an account that can "
    "reset its password, we send a reset code to the email address of that account.",
    "forgot.submit": "Send me a reset code",
    "forgot.have_code": "I already have a reset code",
    "forgot.admin_only": "Passwords cannot be reset here. Contact your administrator.",
    "reset.title": "I have a reset code",
    "reset.intro": "Enter the reset code from the email and choose a new password. Your two-step "
    "sign-in stays as it is.",
    "reset.sent": "If that account exists and can reset its password, a reset code is on its way "
    "to its email address. It is valid for one hour.",
    "reset.required": "Your password must be reset before you can sign in. Enter the reset code "
    "we emailed you and choose a new password.",
    "reset.code": "Reset code",
    "reset.code_hint": "6 digits, from the email.",
    "reset.submit": "Reset password",
    "reset.request_new": "Did not get a code, or it expired? Request a new one",
    "reset.username_missing": "Enter your username or email address.",
    "reset.code_format": "Enter the 6-digit reset code, numbers only.",
    "reset.code_wrong": "That reset code is not right for this username. Check the email and try "
    "again.",
    "reset.code_expired": "That reset code has expired or can no longer be used. Request a new code.",
    "reset.limit": "Too many attempts. Wait a while before you try again.",
    "reset.unavailable": "Password reset is unavailable right now. Please try again later.",
    # new password
    "newpw.title": "Choose a new password",
    "newpw.intro": "You signed in with a temporary password. Choose your own password to continue.",
    "newpw.password": "New password",
    "newpw.policy": "At least {length} characters{with_rules}.",
    "newpw.policy.with": ", with {rules}",
    "newpw.policy.and": " and ",
    "newpw.policy.separator": ", ",
    "newpw.policy.upper": "an uppercase letter",
    "newpw.policy.lower": "a lowercase letter",
    "newpw.policy.number": "a number",
    "newpw.policy.symbol": "a symbol",
    "newpw.confirm": "Confirm new password",
    "newpw.submit": "Set password",
    "newpw.mismatch": "The two passwords do not match.",
    "newpw.missing": "Enter a new password.",
    "password.policy": "Your password does not meet the password policy:",
    "password.rule.length": "It is not long enough.",
    "password.rule.upper": "It needs an uppercase letter.",
    "password.rule.lower": "It needs a lowercase letter.",
    "password.rule.number": "It needs a number.",
    "password.rule.symbol": "It needs a symbol.",
    "password.rule.reused": "It was used recently; choose a different one.",
    "password.rule.other": "It was not accepted; choose a different one.",
    # codes
    "code.title": "Enter your authentication code",
    "code.intro.totp": "Open your authenticator app and enter the 6-digit code for this account.",
    "code.intro.email": "We sent a code to {destination}. Enter it below.",
    "code.intro.sms": "We sent a code by text message to {destination}. Enter it below.",
    "code.device_html": 'Authenticator: <bdi class="device-name">{device}</bdi>',
    "code.label": "6-digit code",
    "code.label.totp": "6-digit code",
    "code.label.email": "8-digit code",
    "code.label.sms": "6-digit code",
    "code.submit": "Continue",
    "code.format": "Enter the 6-digit code, numbers only.",
    "code.format.totp": "Enter the 6-digit code, numbers only.",
    "code.format.email": "Enter the 8-digit code from the email, numbers only.",
    "code.format.sms": "Enter the 6-digit code from the text message, numbers only.",
    "code.wrong": "That code is not right. Wait for a new code and try again.",
    "code.wrong.totp": "That code is not right. Wait for a new code and try again.",
    "code.wrong.email": "That code is not right. Check the newest email from us and enter the code "
    "it contains.",
    "code.wrong.sms": "That code is not right. Check the newest text message from us and enter the "
    "code it contains.",
    "code.switch.SOFTWARE_TOKEN_MFA": "Use my authenticator instead",
    "code.switch.EMAIL_OTP": "Send me a code by email instead",
    "code.switch.SMS_MFA": "Send me a code by text message instead",
    "code.resend": "Send me a new code",
    "code.resend_hint": "You will enter your password again: a new code comes with a new sign-in, "
    "and we never keep your password.",
    "code.resend_wait": "A new code can be sent 30 seconds after the last one. Wait a moment, then "
    "try again.",
    "code.resend_limit": "Too many new codes were asked for. Wait 15 minutes, or use another "
    "method.",
    "signin.resend": "To send you a new code, enter your password again. We never keep your "
    "password, and a new code comes only with a new sign-in.",
    "code.locked": "Too many wrong codes. Wait a few minutes, then sign in again.",
    "code.restart": "Start again",
    "code.lost": "Lost your authenticator? Use a recovery code",
    "account.recovery.heading": "Recovery codes",
    "account.recovery.remaining": "Unused recovery codes: {count}.",
    "account.recovery.manage": "Replace your recovery codes",
    # select MFA type
    "select.title": "Choose how to verify",
    "select.legend": "Verification method",
    "select.SOFTWARE_TOKEN_MFA": "Authenticator app",
    "select.EMAIL_OTP": "Code by email",
    "select.SMS_MFA": "Code by text message",
    "select.submit": "Continue",
    "select.missing": "Choose a verification method.",
    # enrolment
    "setup.title": "Set up your authenticator",
    "setup.required": "Your account needs a second sign-in step before you can continue.",
    "setup.step1": "Open an authenticator app on your phone and scan this QR code.",
    "setup.manual": "Can't scan it? Enter this key in the app instead:",
    "setup.apps": "Google Authenticator, Microsoft Authenticator, 1Password or any other app for "
    "time-based codes (TOTP) will do.",
    "setup.on_phone": "Setting up on this phone? Open the key straight in your authenticator app:",
    "setup.open_app": "Open in authenticator app",
    "setup.copy": "Copy key",
    "setup.copied": "Key copied. Paste it into your authenticator app.",
    "setup.copy_failed": "The key could not be copied. Select it and copy it by hand.",
    "setup.qr_label": "QR code for adding this account to an authenticator app",
    "setup.step2": "Enter the 6-digit code the app shows.",
    "setup.device": "Device name (optional)",
    "setup.device_hint": "For example: Work phone",
    "setup.submit": "Verify and turn on",
    "setup.wrong": "That code did not match. Check that your phone's clock is right, wait for a new code "
    "and try again.",
    "setup.same_step": "Codes of the last 30 seconds cannot be used again: one of them just "
    "confirmed it is you. Wait until your new app shows its next code, then enter that one.",
    "setup.not_enabled": "Your authenticator was verified but could not be turned on. Please try again.",
    "setup.unavailable": "Authenticator apps are not enabled for this user pool. Contact your "
    "administrator.",
    "setup.device_too_long": "The device name is too long: use at most 64 characters.",
    "setup.device_invalid": "The device name can only contain letters, digits, spaces and "
    "punctuation: no control or text-direction characters.",
    "setup.done.title": "Your authenticator is set up",
    "setup.done.body": "From now on you will be asked for a code from your authenticator app when you "
    "sign in.",
    "setup.done.continue": "Continue",
    "setup.skip": "Skip for now",
    "setup.start": "Show my set-up key",
    "setup.start_intro": "Press the button to create the key you will add to your authenticator app.",
    "setup.proof_intro": "To make sure it is you, we send a one-time set-up code to the email address "
    "of your account. Enter it here to continue.",
    "setup.proof_send": "Email me a set-up code",
    "setup.proof_sent": "We sent a set-up code to your email address. It works once, for a few minutes.",
    "setup.proof_label": "8-digit set-up code from the email",
    "setup.proof_submit": "Continue",
    "setup.proof_resend": "Send a new code",
    "setup.proof_resend_hint": "A new code replaces the one sent before.",
    # One sentence for every refusal (wrong, expired, used, too many tries): it must not say the
    # code is dead, since a mistyped code still has tries left, nor tell which case it was.
    "setup.proof_failed": "That set-up code did not work. Check the 8 digits in the newest email "
    "from us and try again, or send a new code.",
    "setup.proof_limit": "Too many set-up codes were asked for. Wait a few minutes and try again.",
    "setup.proof_no_email": "Your account has no verified email address to send a set-up code to. "
    "Contact support.",
    # replace authenticator
    "replace.keeps_working": "You are replacing your authenticator. Your old authenticator keeps "
    "working until you finish; if you stop now, nothing changes.",
    "replace.finish_now": "You are replacing your authenticator. Finish now: until the new app's "
    "code is confirmed, Amazon Cognito no longer asks for your old one, and this portal does not "
    "sign you in without a code.",
    "replace.cancel": "Cancel and keep my old authenticator",
    "account.replace_cancelled_pending": "The new key was dropped here, but Amazon Cognito may still "
    "hold the replacement as pending. If signing in stops working, contact support.",
    "account.replace_cancelled": "Your authenticator was not changed. Your old authenticator still "
    "works.",
    "replace.title": "Replace your authenticator",
    "replace.intro": "To replace your authenticator, confirm it is you: enter your password and a current "
    "code from the authenticator you use now.",
    "replace.intro_nocode": "To set up a new authenticator, confirm it is you with your password.",
    "replace.submit": "Confirm",
    "reproof.intro": "To confirm it is you, enter your password and a current code from your "
    "authenticator app.",
    "reproof.intro_nocode": "To confirm it is you, enter your password.",
    "reproof.password": "Your password",
    "reproof.failed": "Those details are not right. Check your password and the code and try again.",
    "reproof.failed_nocode": "That password is not right. Try again.",
    "replace.failed": "Those details are not right. Check your password and the code and try again.",
    # account
    "signup.title": "Create an account",
    "signup.link": "Create an account",
    "signup.username": "Username",
    "signup.email": "Email address",
    "signup.password": "Password",
    "signup.confirm": "Confirm password",
    "signup.submit": "Create account",
    "signup.have_account": "I already have an account",
    "signup.missing": "Enter a username, your email address and a password.",
    "signup.username_missing": "Enter a username.",
    "signup.email_missing": "Enter your email address.",
    "signup.taken": "That username is taken. Choose another one.",
    "signup.invalid": "Check the username and the email address: one of them is not valid.",
    "signup.limit": "Too many attempts. Wait a while, then try again.",
    "signup.confirm.title": "Confirm your email address",
    "signup.confirm.intro": "We sent a code to the email address of {username}. Enter it to finish creating your account.",
    "signup.code": "Code from the email",
    "signup.code_format": "Enter the code from the email: digits only.",
    "signup.code_wrong": "That code is not right. Check the email and try again.",
    "signup.code_expired": "That code has expired. Ask for a new one below.",
    "signup.confirm.submit": "Confirm",
    "signup.resend": "Send a new code",
    "signup.resent": "A new code is on its way.",
    "signin.signed_up": "Your account is ready. Sign in to set up two-step sign-in.",
    "account.email": "Email address",
    "account.email.current": "Current address",
    "account.email.unverified": "(not verified)",
    "account.email.new": "New email address",
    "account.email.submit": "Change email address",
    "account.email.sent": "We sent a code to {email}. Enter it to finish the change; until then your current address stays.",
    "account.email.sent_in_force": "Your address is now {email}, not yet confirmed: we sent a code to it. Enter the code to confirm it; until then applications that rely on your address do not receive it.",
    "account.email.code": "Code from the email",
    "account.email.verify": "Verify",
    "account.email.resend": "Send a new code",
    "account.email.missing": "Enter the new email address.",
    "account.email.invalid": "That email address is not valid.",
    "account.email.taken": "That email address belongs to another account.",
    "account.email.code_wrong": "That code is not right. Check the email and try again.",
    "account.email.code_expired": "That code has expired. Send a new one.",
    "account.email.limit": "Too many attempts. Wait a while, then try again.",
    "account.email.changed": "Your email address has been changed.",
    "account.title": "Your account",
    "account.mfa": "Two-step sign-in",
    "account.mfa.status": "Status",
    "account.mfa.on": "On: authenticator app",
    "account.mfa.off": "Off",
    "account.mfa.preferred": "Preferred method",
    "account.mfa.none": "None",
    "account.mfa.setup": "Set up an authenticator",
    "account.mfa.replace": "Replace your authenticator",
    "account.mfa.on_any": "On",
    "account.mfa.methods": "Your sign-in methods",
    "account.mfa.preferred_badge": "preferred",
    "account.mfa.device": "Device name:",
    "account.mfa.enrolled_on": "Set up on",
    "account.mfa.sent_to": "Codes go to",
    "account.mfa.choose": "Which method should sign-in ask for?",
    "account.mfa.choose_submit": "Save preferred method",
    "account.mfa.choose_missing": "Choose one of your sign-in methods.",
    "account.mfa.choose_failed": "Your preferred method could not be changed. Please try again "
    "later.",
    "account.mfa.preference_saved": "Your preferred method has been saved. Sign-in will ask for it "
    "first.",
    "account.password": "Change your password",
    "account.password.current": "Current password",
    "account.password.new": "New password",
    "account.password.confirm": "Confirm new password",
    "account.password.submit": "Change password",
    "account.password.changed": "Your password has been changed.",
    "account.password.wrong": "Your current password is not right.",
    "account.password.current_missing": "Enter your current password.",
    "account.password.limit": "Too many attempts. Wait a while, then try again.",
    "account.signout": "Sign out",
    "account.signout.hint": "Ends your session in this browser only.",
    "account.signout_everywhere": "Sign out everywhere",
    "account.signout_everywhere.hint": "Ends every session of yours, on all devices and apps.",
    "account.enrolled": "Your authenticator is set up.",
    # home
    "home.title": "Welcome",
    "home.signed_in_as": "You are signed in as {username}.",
    "home.no_mfa": "You have not set up two-step sign-in. We recommend you do.",
    # errors
    "forbidden.title": "You do not have access to this page",
    "forbidden.body": "Your account does not have permission to see this page.",
    "notfound.title": "Page not found",
    "notfound.body": "Check the address, or go back to the home page.",
    "badrequest.title": "That request is not valid",
    "badrequest.body": "That request is not valid: {detail}",
    "badrequest.unreadable": "the address or the form could not be read.",
    "badrequest.export_format": "the export format must be csv or jsonl.",
    "csrf.title": "Your form expired",
    "csrf.body": "Please go back, reload the page and try again.",
    "error.title": "Something went wrong",
    "error.body": "Please try again later.",
    "outage.title": "Temporarily unavailable",
    "outage.body": "The portal cannot reach its data right now. Please try again in a minute.",
    # support console (/admin)
    "admin.page_title": "{page} – Support console",
    "admin.nav.users": "Users",
    "admin.nav.create": "Create a user",
    "admin.nav.audit": "Audit trail",
    "admin.any": "Any",
    "admin.yes": "yes",
    "admin.no": "no",
    "admin.none": "none",
    "admin.unknown": "unknown",
    "admin.unknown_short": "?",
    "admin.list_separator": ", ",
    "admin.cognito_error": "The search did not work: {message}",
    "admin.reason": "Reason (kept in the audit trail)",
    "admin.search.title": "Support console",
    "admin.search.query": "Username or email starts with",
    "admin.search.status": "Status",
    "admin.search.enabled": "Enabled",
    "admin.search.disabled": "Disabled",
    "admin.search.submit": "Search",
    "admin.search.count.one": "{count} user",
    "admin.search.count.other": "{count} users",
    "admin.col.username": "Username",
    "admin.col.email": "Email",
    "admin.col.status": "Status",
    "admin.col.enabled": "Enabled",
    "admin.col.mfa": "MFA",
    "admin.create.title": "Create a user",
    "admin.create.username": "Username",
    "admin.create.email": "Email address",
    "admin.create.temporary": "Temporary password",
    "admin.create.show": "Show it to me once",
    "admin.create.send": "Email it to the user",
    "admin.create.submit": "Create user",
    "admin.create.missing": "Enter a username and an email address.",
    "admin.user.confirm": "I confirm",
    "admin.user.confirm_delete": "Type the username to confirm",
    "admin.user.unconfirmed": "Tick the box to confirm the action.",
    "admin.user.bad_choice": "Choose a valid method and setting.",
    "admin.user.status": "Status",
    "admin.user.enabled": "Enabled",
    "admin.user.mfa_methods": "MFA methods",
    "admin.user.preferred_mfa": "Preferred MFA",
    "admin.user.recovery_codes": "Unused recovery codes",
    "admin.user.created": "Created",
    "admin.user.modified": "Modified",
    "admin.user.attributes": "Attributes",
    "admin.user.attr_name": "Name",
    "admin.user.attr_value": "Value",
    "admin.user.actions": "Actions",
    "admin.user.reset_mfa.title": "Reset the authenticator",
    "admin.user.reset_mfa.hint": "Removes the registered authenticator and signs the user out "
    "everywhere; they must set up a new one at their next sign-in.",
    "admin.user.reset_mfa.submit": "Reset authenticator",
    "admin.user.set_mfa.title": "Change an MFA method",
    "admin.user.set_mfa.submit": "Apply",
    "admin.user.set_mfa.method": "Method",
    "admin.user.set_mfa.email": "Email codes",
    "admin.user.set_mfa.totp": "Authenticator app",
    "admin.user.set_mfa.sms": "Text message",
    "admin.user.set_mfa.setting": "Setting",
    "admin.user.set_mfa.preferred": "Enable and prefer",
    "admin.user.set_mfa.enabled": "Enable",
    "admin.user.set_mfa.disabled": "Disable",
    "admin.user.set_attr.title": "Set an attribute",
    "admin.user.set_attr.submit": "Save attribute",
    "admin.user.set_attr.name": "Attribute",
    "admin.user.set_attr.value": "Value",
    "admin.user.set_attr.verified": "Mark as verified (I checked it)",
    "admin.user.reset_password.title": "Reset the password",
    "admin.user.reset_password.submit": "Reset password",
    "admin.user.reset_password.temporary": "Set a temporary password and show it to me "
    "(otherwise a reset code is sent)",
    "admin.user.signout.title": "Sign out everywhere",
    "admin.user.signout.submit": "Sign out everywhere",
    "admin.user.disable.title": "Disable the user",
    "admin.user.disable.submit": "Disable user",
    "admin.user.enable.title": "Enable the user",
    "admin.user.enable.submit": "Enable user",
    "admin.user.delete.title": "Delete the user",
    "admin.user.delete.hint": "Deletes the user and their recovery codes for good.",
    "admin.user.delete.submit": "Delete user",
    "admin.result.done": "Done",
    "admin.result.not_done": "Not done",
    "admin.result.secret": "Temporary password, shown only now:",
    "admin.result.back": "Back to {username}",
    "admin.audit.title": "Audit trail",
    "admin.audit.target": "User",
    "admin.audit.actor": "Actor",
    "admin.audit.action": "Action",
    "admin.audit.since": "From (UTC)",
    "admin.audit.until": "Before (UTC)",
    "admin.audit.outcome": "Outcome",
    "admin.audit.success": "Success",
    "admin.audit.failure": "Failure",
    "admin.audit.submit": "Filter",
    "admin.audit.bad_date": "Dates must look like 2026-11-28 or 2026-11-28T17:00.",
    "admin.audit.export_csv": "Export CSV",
    "admin.audit.export_jsonl": "Export JSON lines",
    "admin.audit.col.time": "Time (UTC)",
    "admin.audit.col.actor": "Actor",
    "admin.audit.col.target": "User",
    "admin.audit.col.action": "Action",
    "admin.audit.col.outcome": "Outcome",
    "admin.audit.col.reason": "Reason",
    "admin.audit.col.detail": "Detail",
    "admin.audit.col.source": "Address",
    "admin.outbox.title": "Development outbox",
    "admin.outbox.notice": "No mail server is configured, so mail the portal sends is kept here "
    "(development mode only).",
    "admin.outbox.to": "To: {recipient}",
    "admin.outbox.sent": "Sent:",
    "admin.outbox.empty": "No messages yet.",
    # recovery codes and /recover
    "recovery.codes.title": "Recovery codes",
    "recovery.codes.offer": "If you lose your phone, a recovery code lets you remove the old "
    "authenticator and set up a new one without waiting for support.",
    "recovery.codes.remaining_html.one": "You have <strong>{count}</strong> unused recovery code.",
    "recovery.codes.remaining_html.other": "You have <strong>{count}</strong> unused recovery "
    "codes.",
    "recovery.codes.none": "You have no unused recovery codes.",
    "recovery.codes.replace_hint": "Creating a new set makes your current codes stop working.",
    "recovery.codes.create": "Create recovery codes",
    "recovery.codes.create_new": "Create a new set of recovery codes",
    "recovery.codes.continue": "Continue",
    "recovery.codes.back": "Back to your account",
    "recovery.new.title": "Your recovery codes",
    "recovery.new.notice": "They are shown only now. Save them somewhere safe, away from your "
    "phone. Each code works once.",
    "recovery.new.download": "Download as a text file",
    "recovery.new.filename": "recovery-codes.txt",
    "recovery.new.saved": "I have saved them – continue",
    "recovery.recover.title": "Lost your authenticator?",
    "recovery.recover.failed": "The username, password or recovery code is not right.",
    "recovery.recover.missing": "Enter your username, password and a recovery code.",
    "recovery.recover.intro": "Enter your password and one of your recovery codes. Your old "
    "authenticator is removed, you are signed out everywhere, and you set up a new authenticator "
    "straight away.",
    "recovery.recover.code": "Recovery code",
    "recovery.recover.code_hint": "16 letters and digits, for example ABCD-EFGH-IJKL-MNOP.",
    "recovery.recover.submit": "Remove my old authenticator",
    "recovery.recover.no_codes": "No recovery codes left? Contact support: they can reset your "
    "authenticator after checking who you are.",
    "recovery.done.title": "Authenticator removed",
    "recovery.done.heading": "Your old authenticator was removed",
    "recovery.done.body": "You were signed out everywhere. Sign in again to set up your new "
    "authenticator. If your account has an email address, a notice about this change was sent "
    "to it.",
    "recovery.done.submit": "Sign in and set up",
    "recovery.done.set_up": "You were signed out everywhere else. Set up your new authenticator "
    "now. If your account has an email address, a notice about this change was sent to it.",
    "recovery.done.continue": "Set up my new authenticator",
}

STRINGS.update(STRINGS_CONSOLE)  # the console's newer sentences, kept apart

#: Sentences telling the user to contact support or an administrator: the pages follow each with
#: ``support.contact`` when ``MFA_PORTAL_SUPPORT_CONTACT`` is set.
CONTACT_KEYS = frozenset(
    key
    for key, text in STRINGS.items()
    if not key.startswith("admin.")
    and re.search(r"\b(contact|ask) (your administrator|support)\b", text, re.IGNORECASE)
)


def _plural_form(count: object) -> str:
    return "one" if count == 1 else "other"


DEFAULT_LANGUAGE = "en"
CATALOGS: dict[str, dict[str, str]] = {"en": STRINGS, "de": STRINGS_DE}
_LANGUAGE: ContextVar[str] = ContextVar("portal_language", default=DEFAULT_LANGUAGE)
_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$"
)


def language() -> str:
    """The language of the page being rendered (``en`` outside a request)."""
    return _LANGUAGE.get()


def use_language(code: str) -> Token[str]:
    """Make ``code`` the language of this context; returns the token ``reset_language`` takes."""
    return _LANGUAGE.set(code if code in CATALOGS else DEFAULT_LANGUAGE)


def reset_language(token: Token[str]) -> None:
    _LANGUAGE.reset(token)


def negotiate(accept_language: str | None) -> str:
    """The catalog the browser prefers most (``Accept-Language``, RFC 9110 12.5.4), else English.

    ``de-AT`` matches ``de``; a range with q=0 is refused; a malformed range is skipped, never an
    error (the header is the browser's, not the user's typing).
    """
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for position, item in enumerate((accept_language or "")[:512].split(",")):
        match = _RANGE.match(item)
        if match is None:
            continue
        try:
            q = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        primary = match.group(1).split("-", 1)[0].lower()
        code = DEFAULT_LANGUAGE if primary == "*" else primary
        # Equal weights: the first listed wins (a later one needs a strictly higher q).
        if code in CATALOGS and 0 < q <= 1 and q - position * 1e-6 > best_q:
            best, best_q = code, q - position * 1e-6
    return best


def t(key: str, **values: object) -> str:
    """The sentence for ``key`` in the request's language, else English; an unknown key shows
    itself so a gap is visible, not hidden."""
    catalog = CATALOGS[_LANGUAGE.get()]
    lookup = key
    if "count" in values:
        plural = f"{key}.{_plural_form(values['count'])}"
        lookup = plural if plural in STRINGS else key
    text = catalog.get(lookup) or STRINGS.get(lookup, key)
    if key.endswith("_html"):
        return Markup(text).format(**values)  # escapes every value, keeps the catalog's markup
    return text.format(**values) if values else text
