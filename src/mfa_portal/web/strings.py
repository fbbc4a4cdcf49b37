"""Every sentence the portal shows, in one place so the pages can be translated.

Templates call ``t("key")``; code refers to keys, never to literal sentences. ``{name}`` placeholders
are filled with ``str.format`` from values the portal controls (never raw Cognito messages).
"""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "app.name": "Sign-in portal",
    "nav.home": "Home",
    "nav.account": "Your account",
    "nav.signout": "Sign out",
    "nav.admin": "Support console",
    "nav.signin": "Sign in",
    "skip": "Skip to main content",
    "error.summary": "There is a problem",
    # sign in
    "signin.title": "Sign in",
    "signin.username": "Username or email address",
    "signin.password": "Password",
    "signin.submit": "Sign in",
    "signin.missing": "Enter your username or email address and your password.",
    "signin.incorrect": "Incorrect username or password.",
    "signin.locked": "Too many failed attempts. Wait a few minutes, then try again.",
    "signin.disabled": "This account is disabled. Contact your administrator.",
    "signin.reset_required": "Your password must be reset. Contact your administrator.",
    "signin.not_confirmed": "This account is not confirmed yet. Contact your administrator.",
    "signin.temp_expired": "Your temporary password has expired. Ask your administrator for a new one.",
    "signin.expired": "Your sign-in took too long and has expired. Please sign in again.",
    "signin.restart": "This sign-in cannot continue. Please sign in again.",
    "signin.unavailable": "Sign-in is unavailable right now. Please try again later.",
    "signin.signed_out": "You have been signed out.",
    "signin.signed_out_everywhere": "You have been signed out on every device.",
    "signin.session_ended": "Your session has ended. Please sign in again.",
    # new password
    "newpw.title": "Choose a new password",
    "newpw.intro": "You signed in with a temporary password. Choose your own password to continue.",
    "newpw.password": "New password",
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
    "code.label": "6-digit code",
    "code.submit": "Continue",
    "code.format": "Enter the 6-digit code, numbers only.",
    "code.wrong": "That code is not right. Wait for a new code and try again.",
    "code.locked": "Too many wrong codes. Wait a few minutes, then sign in again.",
    "code.restart": "Start again",
    "code.lost": "Lost your authenticator? Use a recovery code",
    "account.recovery.heading": "Recovery codes",
    "account.recovery.remaining": "Unused recovery codes: {count}.",
    "account.recovery.manage": "See or replace your recovery codes",
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
    "setup.qr_label": "QR code for adding this account to an authenticator app",
    "setup.step2": "Enter the 6-digit code the app shows.",
    "setup.device": "Device name (optional)",
    "setup.device_hint": "For example: Work phone",
    "setup.submit": "Verify and turn on",
    "setup.wrong": "That code did not match. Check that your phone's clock is right, wait for a new code "
    "and try again.",
    "setup.not_enabled": "Your authenticator was verified but could not be turned on. Please try again.",
    "setup.unavailable": "Authenticator apps are not enabled for this user pool. Contact your "
    "administrator.",
    "setup.device_too_long": "The device name is too long.",
    "setup.done.title": "Your authenticator is set up",
    "setup.done.body": "From now on you will be asked for a code from your authenticator app when you "
    "sign in.",
    "setup.done.continue": "Continue",
    "setup.skip": "Skip for now",
    # replace authenticator
    "replace.title": "Replace your authenticator",
    "replace.intro": "To replace your authenticator, confirm it is you: enter your password and a current "
    "code from the authenticator you use now.",
    "replace.intro_nocode": "To set up a new authenticator, confirm it is you with your password.",
    "replace.submit": "Confirm",
    "replace.failed": "Those details are not right. Check your password and the code and try again.",
    # account
    "account.title": "Your account",
    "account.mfa": "Two-step sign-in",
    "account.mfa.on": "On: authenticator app",
    "account.mfa.off": "Off",
    "account.mfa.preferred": "Preferred method",
    "account.mfa.none": "None",
    "account.mfa.setup": "Set up an authenticator",
    "account.mfa.replace": "Replace your authenticator",
    "account.password": "Change your password",
    "account.password.current": "Current password",
    "account.password.new": "New password",
    "account.password.confirm": "Confirm new password",
    "account.password.submit": "Change password",
    "account.password.changed": "Your password has been changed.",
    "account.password.wrong": "Your current password is not right.",
    "account.password.limit": "Too many attempts. Wait a while, then try again.",
    "account.signout": "Sign out",
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
    "csrf.title": "Your form expired",
    "csrf.body": "Please go back, reload the page and try again.",
    "error.title": "Something went wrong",
    "error.body": "Please try again later.",
}

NAMES: dict[str, str] = {
    "SOFTWARE_TOKEN_MFA": "Authenticator app",
    "EMAIL_OTP": "Email",
    "SMS_MFA": "Text message",
}


def t(key: str, **values: object) -> str:
    """The sentence for ``key``; an unknown key shows itself so a gap is visible, not hidden."""
    text = STRINGS.get(key, key)
    return text.format(**values) if values else text
