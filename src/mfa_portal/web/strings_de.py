"""German sentences of the portal, by the keys of ``strings.STRINGS``.

Partial on purpose: a key missing here falls back to English (``strings.t``), so a page is never
missing a sentence, only partly translated. Every key must exist in the English catalog
(``tests/web/test_languages.py`` checks), so a renamed English key cannot leave a dead one here.
"""

from __future__ import annotations

STRINGS_DE: dict[str, str] = {
    "app.name": "Anmeldeportal",
    "nav.home": "Startseite",
    "nav.account": "Ihr Konto",
    "nav.signout": "Abmelden",
    "nav.admin": "Support-Konsole",
    "nav.signin": "Anmelden",
    "nav.label": "Hauptnavigation",
    "skip": "Zum Hauptinhalt springen",
    "error.summary": "Es gibt ein Problem",
    # sign in
    "signin.title": "Anmelden",
    "signin.username": "Benutzername oder E-Mail-Adresse",
    "signin.password": "Passwort",
    "signin.submit": "Anmelden",
    "signin.missing": "Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse und Ihr Passwort ein.",
    "signin.incorrect": "Benutzername oder Passwort ist falsch.",
    "signin.locked": "Zu viele Fehlversuche. Warten Sie einige Minuten und versuchen Sie es dann erneut.",
    "signin.disabled": "Dieses Konto ist gesperrt. Wenden Sie sich an Ihre Administration.",
    "signin.reset_required": "Ihr Passwort muss zurückgesetzt werden. Geben Sie den Code ein, den wir "
    "Ihnen per E-Mail geschickt haben.",
    "signin.not_confirmed": "Dieses Konto ist noch nicht bestätigt. Wenden Sie sich an Ihre "
    "Administration.",
    "signin.temp_expired": "Ihr vorläufiges Passwort ist abgelaufen. Bitten Sie Ihre Administration "
    "um ein neues.",
    "signin.expired": "Ihre Anmeldung hat zu lange gedauert und ist abgelaufen. Bitte melden Sie sich "
    "erneut an.",
    "signin.restart": "Diese Anmeldung kann nicht fortgesetzt werden. Bitte melden Sie sich erneut an.",
    "signin.unavailable": "Die Anmeldung ist gerade nicht möglich. Bitte versuchen Sie es später erneut.",
    "signin.signed_out": "Sie wurden abgemeldet.",
    "signin.signed_out_everywhere": "Sie wurden auf allen Geräten abgemeldet.",
    "signin.session_ended": "Ihre Sitzung ist beendet. Bitte melden Sie sich erneut an.",
    "signin.forgot": "Passwort vergessen?",
    "signup.link": "Konto erstellen",
    # sign out
    "signout.title": "Abmelden",
    "signout.intro": "Möchten Sie sich in diesem Browser vom Portal und von allen Apps abmelden, die "
    "es nutzen?",
    "signout.submit": "Abmelden",
    "signout.cancel": "Angemeldet bleiben",
    # the code page
    "code.title": "Bestätigungscode eingeben",
    "code.intro.totp": "Öffnen Sie Ihre Authenticator-App und geben Sie den 6-stelligen Code für "
    "dieses Konto ein.",
    "code.label": "6-stelliger Code",
    "code.label.totp": "6-stelliger Code",
    "code.label.email": "8-stelliger Code",
    "code.label.sms": "6-stelliger Code",
    "code.submit": "Weiter",
    "code.restart": "Neu beginnen",
    # error pages
    "forbidden.title": "Sie haben keinen Zugriff auf diese Seite",
    "forbidden.body": "Ihr Konto ist nicht berechtigt, diese Seite zu sehen.",
    "notfound.title": "Seite nicht gefunden",
    "notfound.body": "Prüfen Sie die Adresse oder gehen Sie zurück zur Startseite.",
    "csrf.title": "Ihr Formular ist abgelaufen",
    "csrf.body": "Bitte gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.",
    "error.title": "Etwas ist schiefgegangen",
    "error.body": "Bitte versuchen Sie es später erneut.",
}
