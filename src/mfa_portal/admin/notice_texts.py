"""The email notices' sentences, in every language the portal speaks (``web.strings`` has the
pages'; the rooms keep ``admin`` from importing ``web``, so the mails have their own small catalog).

Which language a notice is written in: the caller says. Self-service pages pass the language the
page was served in (the user is at that browser); support actions from the console and the CLI
pass the user's ``locale`` attribute (standard in Cognito), since the support person's browser says
nothing about the user. Anything unknown or unset is English.
"""

from __future__ import annotations

DEFAULT = "en"

NOTICES: dict[str, dict[str, str]] = {
    "en": {
        "product": "Sign-in portal",  # the pages' default name too (web.strings "app.name")
        "mfa_reset.subject": "Your authenticator was reset",
        "mfa_reset.body": "The authenticator app registered for {username} was removed by support, "
        "and every signed-in session was ended.\n\nAt your next sign-in you will be asked to set "
        "up a new authenticator.",
        "password_reset.subject": "Your password was reset",
        "password_reset.where": 'the sign-in portal\'s "I have a reset code" page',
        "password_reset.body": "Support reset the password of {username} and signed out every "
        "session. A separate message contains your reset code.\n\nTo choose a new password, enter "
        "the code at {where}\n\nYour authenticator stays as it is: you will still be asked for a "
        "code at your next sign-in.",
        "mfa_changed.subject": "Your sign-in settings changed",
        "mfa_changed.body": "The multi-factor settings of {username} were changed: {change}.",
        "change.enrolled": "a new authenticator app was set up",
        "change.totp.preferred": "the authenticator app was turned on and made the preferred method",
        "change.totp.enabled": "the authenticator app was turned on",
        "change.totp.disabled": "the authenticator app was turned off",
        "change.email.preferred": "email codes were turned on and made the preferred method",
        "change.email.enabled": "email codes were turned on",
        "change.email.disabled": "email codes were turned off",
        "change.sms.preferred": "text-message codes were turned on and made the preferred method",
        "change.sms.enabled": "text-message codes were turned on",
        "change.sms.disabled": "text-message codes were turned off",
        "email_changed.subject": "Your email address was changed",
        "email_changed.body": "The email address of {username} was changed; messages now go to "
        "the new address, and this one no longer receives them.",
        "recovery_code_used.subject": "A recovery code was used",
        "recovery_code_used.body.one": "A recovery code of {username} was used to remove the "
        "registered authenticator. {remaining} unused recovery code remains.",
        "recovery_code_used.body.other": "A recovery code of {username} was used to remove the "
        "registered authenticator. {remaining} unused recovery codes remain.",
        "recovery_codes_issued.subject": "New recovery codes",
        "recovery_codes_issued.body": "A new set of recovery codes was created for {username}; "
        "the previous codes no longer work.",
        "enrolment_code.subject": "Your authenticator set-up code",
        "enrolment_code.body": "Someone signed in as {username} and asked to set up an "
        "authenticator app.\n\nYour set-up code: {code}\n\nIt works once, for {minutes} minutes. "
        "If you did not ask for it, do not share it: your password may be known to someone else.",
        "footer.not_you": "If this was not you, contact support at once.",
        "footer.support": "Support: {contact}",
    },
    "de": {
        "product": "Anmeldeportal",
        "mfa_reset.subject": "Ihre Authenticator-App wurde zurückgesetzt",
        "mfa_reset.body": "Die für {username} registrierte Authenticator-App wurde vom Support "
        "entfernt, und alle angemeldeten Sitzungen wurden beendet.\n\nBei Ihrer nächsten Anmeldung "
        "werden Sie gebeten, eine neue Authenticator-App einzurichten.",
        "password_reset.subject": "Ihr Passwort wurde zurückgesetzt",
        "password_reset.where": "die Seite „Ich habe einen Rücksetzcode“ des Anmeldeportals",
        "password_reset.body": "Der Support hat das Passwort von {username} zurückgesetzt und "
        "alle Sitzungen abgemeldet. Eine separate Nachricht enthält Ihren Rücksetzcode.\n\nUm ein "
        "neues Passwort zu wählen, geben Sie den Code hier ein: {where}\n\nIhre Authenticator-App "
        "bleibt, wie sie ist: Bei Ihrer nächsten Anmeldung werden Sie weiterhin nach einem Code "
        "gefragt.",
        "mfa_changed.subject": "Ihre Anmeldeeinstellungen wurden geändert",
        "mfa_changed.body": "Die Einstellungen der Zwei-Schritt-Anmeldung von {username} wurden "
        "geändert: {change}.",
        "change.enrolled": "Eine neue Authenticator-App wurde eingerichtet",
        "change.totp.preferred": "Die Authenticator-App wurde aktiviert und als bevorzugte "
        "Methode festgelegt",
        "change.totp.enabled": "Die Authenticator-App wurde aktiviert",
        "change.totp.disabled": "Die Authenticator-App wurde deaktiviert",
        "change.email.preferred": "E-Mail-Codes wurden aktiviert und als bevorzugte Methode "
        "festgelegt",
        "change.email.enabled": "E-Mail-Codes wurden aktiviert",
        "change.email.disabled": "E-Mail-Codes wurden deaktiviert",
        "change.sms.preferred": "SMS-Codes wurden aktiviert und als bevorzugte Methode festgelegt",
        "change.sms.enabled": "SMS-Codes wurden aktiviert",
        "change.sms.disabled": "SMS-Codes wurden deaktiviert",
        "email_changed.subject": "Ihre E-Mail-Adresse wurde geändert",
        "email_changed.body": "Die E-Mail-Adresse von {username} wurde geändert; Nachrichten gehen "
        "jetzt an die neue Adresse, und diese Adresse erhält keine mehr.",
        "recovery_code_used.subject": "Ein Wiederherstellungscode wurde verwendet",
        "recovery_code_used.body.one": "Mit einem Wiederherstellungscode von {username} wurde die "
        "registrierte Authenticator-App entfernt. Es bleibt {remaining} unbenutzter "
        "Wiederherstellungscode.",
        "recovery_code_used.body.other": "Mit einem Wiederherstellungscode von {username} wurde "
        "die registrierte Authenticator-App entfernt. Es bleiben {remaining} unbenutzte "
        "Wiederherstellungscodes.",
        "recovery_codes_issued.subject": "Neue Wiederherstellungscodes",
        "recovery_codes_issued.body": "Für {username} wurden neue Wiederherstellungscodes "
        "erstellt; die bisherigen Codes funktionieren nicht mehr.",
        "enrolment_code.subject": "Ihr Einrichtungscode für die Authenticator-App",
        "enrolment_code.body": "Jemand hat sich als {username} angemeldet und möchte eine "
        "Authenticator-App einrichten.\n\nIhr Einrichtungscode: {code}\n\nEr funktioniert einmal, "
        "{minutes} Minuten lang. Wenn Sie ihn nicht angefordert haben, geben Sie ihn nicht weiter: "
        "Ihr Passwort ist möglicherweise jemand anderem bekannt.",
        "footer.not_you": "Wenn Sie das nicht waren, wenden Sie sich sofort an den Support.",
        "footer.support": "Support: {contact}",
    },
}


def notice_language(code: str | None) -> str:
    """The catalog for a language tag (``de-AT`` -> ``de``); English for anything unknown."""
    primary = (code or "").replace("_", "-").split("-", 1)[0].strip().lower()
    return primary if primary in NOTICES else DEFAULT


def notice_text(language: str | None, key: str, **values: object) -> str:
    """The sentence in ``language``; a key the language lacks falls back to English."""
    texts = NOTICES[notice_language(language)]
    if "count" in values:
        plural = f"{key}.{'one' if values['count'] == 1 else 'other'}"
        key = plural if plural in NOTICES[DEFAULT] else key
        values = {k: v for k, v in values.items() if k != "count"}
    text = texts.get(key) or NOTICES[DEFAULT].get(key, key)
    return text.format(**values) if values else text
