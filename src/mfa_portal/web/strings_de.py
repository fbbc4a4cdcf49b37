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
    # added with the account's methods, session-end reasons, resend and per-field errors
    # (tests/web/test_languages.py checks every one of these keys has German)
    "signin.username_missing": "Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein.",
    "signin.password_missing": "Geben Sie Ihr Passwort ein.",
    "signin.ended.reset": "Sie wurden abgemeldet, weil Ihr Authenticator zurückgesetzt wurde. "
    "Melden Sie sich erneut an und richten Sie dann Ihre Authenticator-App ein.",
    "signin.ended.everywhere": "Sie wurden auf allen Geräten abgemeldet. Melden Sie sich erneut "
    "an, um fortzufahren.",
    "signin.ended.ended": "Ihre Sitzung ist beendet. Bitte melden Sie sich erneut an.",
    "signin.ended.idle": "Sie wurden abgemeldet, weil das Portal eine Weile nicht benutzt wurde. "
    "Melden Sie sich erneut an, um fortzufahren.",
    "signin.ended.limit": "Ihre Sitzung hat ihre Höchstdauer erreicht und ist beendet. Melden Sie "
    "sich erneut an, um fortzufahren.",
    "signin.ended.expired": "Ihre Anmeldung hat zu lange gedauert und ist abgelaufen. Melden Sie "
    "sich erneut an, um fortzufahren.",
    "signin.resend": "Um Ihnen einen neuen Code zu senden, geben Sie Ihr Passwort erneut ein. Wir "
    "speichern Ihr Passwort nie, und einen neuen Code gibt es nur mit einer neuen Anmeldung.",
    "code.resend": "Neuen Code senden",
    "code.resend_hint": "Sie geben dann Ihr Passwort erneut ein: Ein neuer Code kommt mit einer "
    "neuen Anmeldung, und wir speichern Ihr Passwort nie.",
    "code.resend_wait": "Ein neuer Code kann 30 Sekunden nach dem letzten gesendet werden. Warten "
    "Sie einen Moment und versuchen Sie es dann erneut.",
    "code.resend_limit": "Es wurden zu viele neue Codes angefordert. Warten Sie 15 Minuten oder "
    "verwenden Sie eine andere Methode.",
    "signup.username_missing": "Geben Sie einen Benutzernamen ein.",
    "signup.email_missing": "Geben Sie Ihre E-Mail-Adresse ein.",
    "account.mfa.on_any": "Ein",
    "account.mfa.methods": "Ihre Anmeldemethoden",
    "account.mfa.preferred_badge": "bevorzugt",
    "account.mfa.device": "Gerätename:",
    "account.mfa.enrolled_on": "Eingerichtet am",
    "account.mfa.sent_to": "Codes gehen an",
    "account.mfa.choose": "Nach welcher Methode soll die Anmeldung fragen?",
    "account.mfa.choose_submit": "Bevorzugte Methode speichern",
    "account.mfa.choose_missing": "Wählen Sie eine Ihrer Anmeldemethoden.",
    "account.mfa.choose_failed": "Ihre bevorzugte Methode konnte nicht geändert werden. Bitte "
    "versuchen Sie es später erneut.",
    "account.mfa.preference_saved": "Ihre bevorzugte Methode wurde gespeichert. Die Anmeldung "
    "fragt zuerst danach.",
    "account.password.current_missing": "Geben Sie Ihr aktuelles Passwort ein.",
}
