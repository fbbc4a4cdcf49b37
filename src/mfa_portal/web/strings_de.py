"""German sentences of the portal, by the keys of ``strings.STRINGS``.

Complete: every English key has German (``tests/web/test_languages.py`` fails on a missing one, on
an orphan key and on a placeholder set that differs), so a German page is never half English. The
support console's sentences are in ``strings_console_de``. Terms used throughout: Authenticator-App,
Wiederherstellungscode, Bestätigungscode, Support-Konsole, Zwei-Schritt-Anmeldung; the user is
addressed with "Sie".
"""

from __future__ import annotations

from mfa_portal.web.strings_console_de import STRINGS_CONSOLE_DE

STRINGS_DE: dict[str, str] = {
    "app.name": "Anmeldeportal",
    "support.contact": "Support: {contact}",
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
    "signin.username_missing": "Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein.",
    "signin.password_missing": "Geben Sie Ihr Passwort ein.",
    "signin.incorrect": "Benutzername oder Passwort ist falsch.",
    "signin.locked": "Zu viele Fehlversuche. Warten Sie einige Minuten und versuchen Sie es dann erneut.",
    "signin.address_limited": "Von Ihrer Netzwerkadresse kamen zu viele fehlgeschlagene Anmeldungen. "
    "Warten Sie einige Minuten und versuchen Sie es dann erneut.",
    "signin.disabled": "Dieses Konto ist deaktiviert. Wenden Sie sich an Ihre Administration.",
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
    "signin.factor_not_asked": "Für dieses Konto ist eine Authenticator-App eingerichtet, aber die "
    "Anmeldung hat nicht nach ihrem Code gefragt. Deshalb können Sie nicht fortfahren. Wenn Sie "
    "Ihre Authenticator-App verloren haben, verwenden Sie einen Wiederherstellungscode oder wenden "
    "Sie sich an den Support.",
    "signin.session_ended": "Ihre Sitzung ist beendet. Bitte melden Sie sich erneut an.",
    "signin.password_reset": "Ihr Passwort wurde geändert. Melden Sie sich mit Ihrem neuen Passwort "
    "an; nach dem zweiten Anmeldeschritt werden Sie weiterhin gefragt.",
    "signin.forgot": "Passwort vergessen?",
    "signin.ended.reset": "Sie wurden abgemeldet, weil Ihre Authenticator-App zurückgesetzt wurde. "
    "Melden Sie sich erneut an und richten Sie dann Ihre Authenticator-App ein.",
    "signin.ended.everywhere": "Sie wurden auf allen Geräten abgemeldet. Melden Sie sich erneut "
    "an, um fortzufahren.",
    "signin.ended.ended": "Ihre Sitzung ist beendet. Bitte melden Sie sich erneut an.",
    "signin.ended.password": "Ihr Passwort wurde geändert, deshalb wurden Sie hier abgemeldet. "
    "Melden Sie sich mit dem neuen Passwort an.",
    "signin.ended.idle": "Sie wurden abgemeldet, weil das Portal eine Weile nicht benutzt wurde. "
    "Melden Sie sich erneut an, um fortzufahren.",
    "signin.ended.limit": "Ihre Sitzung hat ihre Höchstdauer erreicht und ist beendet. Melden Sie "
    "sich erneut an, um fortzufahren.",
    "signin.ended.expired": "Ihre Anmeldung hat zu lange gedauert und ist abgelaufen. Melden Sie "
    "sich erneut an, um fortzufahren.",
    "signin.switch_method": "Geben Sie Ihr Passwort erneut ein, um mit Ihrer Authenticator-App "
    "fortzufahren.",
    # sign out (the page an app links to)
    "signout.title": "Abmelden",
    "signout.intro": "Möchten Sie sich in diesem Browser vom Portal und von allen Apps abmelden, die "
    "es nutzen?",
    "signout.submit": "Abmelden",
    "signout.cancel": "Angemeldet bleiben",
    # self-service password reset
    "forgot.title": "Passwort zurücksetzen",
    "forgot.intro": "Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein. Gehört die Angabe "
    "zu einem Konto, dessen Passwort zurückgesetzt werden kann, senden wir einen Rücksetzcode an "
    "die E-Mail-Adresse dieses Kontos.",
    "forgot.submit": "Rücksetzcode senden",
    "forgot.have_code": "Ich habe bereits einen Rücksetzcode",
    "forgot.admin_only": "Passwörter können hier nicht zurückgesetzt werden. Wenden Sie sich an Ihre "
    "Administration.",
    "reset.title": "Ich habe einen Rücksetzcode",
    "reset.intro": "Geben Sie den Rücksetzcode aus der E-Mail ein und wählen Sie ein neues Passwort. "
    "Ihre Zwei-Schritt-Anmeldung bleibt, wie sie ist.",
    "reset.sent": "Wenn dieses Konto existiert und sein Passwort zurückgesetzt werden kann, ist ein "
    "Rücksetzcode an seine E-Mail-Adresse unterwegs. Er ist eine Stunde lang gültig.",
    "reset.required": "Ihr Passwort muss zurückgesetzt werden, bevor Sie sich anmelden können. "
    "Geben Sie den Rücksetzcode ein, den wir Ihnen per E-Mail geschickt haben, und wählen Sie ein "
    "neues Passwort.",
    "reset.code": "Rücksetzcode",
    "reset.code_hint": "6 Ziffern, aus der E-Mail.",
    "reset.submit": "Passwort zurücksetzen",
    "reset.request_new": "Keinen Code erhalten oder ist er abgelaufen? Fordern Sie einen neuen an",
    "reset.username_missing": "Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein.",
    "reset.code_format": "Geben Sie den 6-stelligen Rücksetzcode ein, nur Ziffern.",
    "reset.code_wrong": "Dieser Rücksetzcode passt nicht zu diesem Benutzernamen. Prüfen Sie die "
    "E-Mail und versuchen Sie es erneut.",
    "reset.code_expired": "Dieser Rücksetzcode ist abgelaufen oder kann nicht mehr verwendet werden. "
    "Fordern Sie einen neuen Code an.",
    "reset.limit": "Zu viele Versuche. Warten Sie eine Weile, bevor Sie es erneut versuchen.",
    "reset.unavailable": "Das Zurücksetzen des Passworts ist gerade nicht möglich. Bitte versuchen "
    "Sie es später erneut.",
    # new password
    "newpw.title": "Neues Passwort wählen",
    "newpw.intro": "Sie haben sich mit einem vorläufigen Passwort angemeldet. Wählen Sie Ihr eigenes "
    "Passwort, um fortzufahren.",
    "newpw.password": "Neues Passwort",
    "newpw.policy": "Mindestens {length} Zeichen{with_rules}.",
    "newpw.policy.with": ", darunter {rules}",
    "newpw.policy.and": " und ",
    "newpw.policy.separator": ", ",
    "newpw.policy.upper": "ein Großbuchstabe",
    "newpw.policy.lower": "ein Kleinbuchstabe",
    "newpw.policy.number": "eine Ziffer",
    "newpw.policy.symbol": "ein Sonderzeichen",
    "newpw.confirm": "Neues Passwort bestätigen",
    "newpw.submit": "Passwort festlegen",
    "newpw.mismatch": "Die beiden Passwörter stimmen nicht überein.",
    "newpw.missing": "Geben Sie ein neues Passwort ein.",
    "password.policy": "Ihr Passwort erfüllt die Passwortrichtlinie nicht:",
    "password.rule.length": "Es ist zu kurz.",
    "password.rule.upper": "Es muss einen Großbuchstaben enthalten.",
    "password.rule.lower": "Es muss einen Kleinbuchstaben enthalten.",
    "password.rule.number": "Es muss eine Ziffer enthalten.",
    "password.rule.symbol": "Es muss ein Sonderzeichen enthalten.",
    "password.rule.reused": "Es wurde kürzlich verwendet; wählen Sie ein anderes.",
    "password.rule.other": "Es wurde nicht akzeptiert; wählen Sie ein anderes.",
    # codes
    "code.title": "Bestätigungscode eingeben",
    "code.intro.totp": "Öffnen Sie Ihre Authenticator-App und geben Sie den 6-stelligen Code für "
    "dieses Konto ein.",
    "code.intro.email": "Wir haben einen Code an {destination} gesendet. Geben Sie ihn unten ein.",
    "code.intro.sms": "Wir haben einen Code per SMS an {destination} gesendet. Geben Sie ihn unten "
    "ein.",
    "code.device_html": 'Authenticator-App: <bdi class="device-name">{device}</bdi>',
    "code.label": "6-stelliger Code",
    "code.label.totp": "6-stelliger Code",
    "code.label.email": "8-stelliger Code",
    "code.label.sms": "6-stelliger Code",
    "code.submit": "Weiter",
    "code.format": "Geben Sie den 6-stelligen Code ein, nur Ziffern.",
    "code.format.totp": "Geben Sie den 6-stelligen Code ein, nur Ziffern.",
    "code.format.email": "Geben Sie den 8-stelligen Code aus der E-Mail ein, nur Ziffern.",
    "code.format.sms": "Geben Sie den 6-stelligen Code aus der SMS ein, nur Ziffern.",
    "code.wrong": "Dieser Code ist nicht richtig. Warten Sie auf einen neuen Code und versuchen Sie "
    "es erneut.",
    "code.wrong.totp": "Dieser Code ist nicht richtig. Warten Sie auf einen neuen Code und versuchen "
    "Sie es erneut.",
    "code.wrong.email": "Dieser Code ist nicht richtig. Öffnen Sie unsere neueste E-Mail und geben "
    "Sie den Code daraus ein.",
    "code.wrong.sms": "Dieser Code ist nicht richtig. Öffnen Sie unsere neueste SMS und geben Sie "
    "den Code daraus ein.",
    "code.switch.SOFTWARE_TOKEN_MFA": "Stattdessen meine Authenticator-App verwenden",
    "code.switch.EMAIL_OTP": "Stattdessen einen Code per E-Mail senden",
    "code.switch.SMS_MFA": "Stattdessen einen Code per SMS senden",
    "code.resend": "Neuen Code senden",
    "code.resend_hint": "Sie geben dann Ihr Passwort erneut ein: Ein neuer Code kommt mit einer "
    "neuen Anmeldung, und wir speichern Ihr Passwort nie.",
    "code.resend_wait": "Ein neuer Code kann 30 Sekunden nach dem letzten gesendet werden. Warten "
    "Sie einen Moment und versuchen Sie es dann erneut.",
    "code.resend_limit": "Es wurden zu viele neue Codes angefordert. Warten Sie 15 Minuten oder "
    "verwenden Sie eine andere Methode.",
    "signin.resend": "Um Ihnen einen neuen Code zu senden, geben Sie Ihr Passwort erneut ein. Wir "
    "speichern Ihr Passwort nie, und einen neuen Code gibt es nur mit einer neuen Anmeldung.",
    "code.locked": "Zu viele falsche Codes. Warten Sie einige Minuten und melden Sie sich dann "
    "erneut an.",
    "code.restart": "Neu beginnen",
    "code.lost": "Authenticator-App verloren? Verwenden Sie einen Wiederherstellungscode",
    "account.recovery.heading": "Wiederherstellungscodes",
    "account.recovery.remaining": "Unbenutzte Wiederherstellungscodes: {count}.",
    "account.recovery.manage": "Wiederherstellungscodes ersetzen",
    # select MFA type
    "select.title": "Bestätigungsmethode wählen",
    "select.legend": "Bestätigungsmethode",
    "select.SOFTWARE_TOKEN_MFA": "Authenticator-App",
    "select.EMAIL_OTP": "Code per E-Mail",
    "select.SMS_MFA": "Code per SMS",
    "select.submit": "Weiter",
    "select.missing": "Wählen Sie eine Bestätigungsmethode.",
    # enrolment
    "setup.title": "Authenticator-App einrichten",
    "setup.required": "Ihr Konto braucht einen zweiten Anmeldeschritt, bevor Sie fortfahren können.",
    "setup.step1": "Öffnen Sie eine Authenticator-App auf Ihrem Smartphone und scannen Sie diesen "
    "QR-Code.",
    "setup.manual": "Scannen funktioniert nicht? Geben Sie stattdessen diesen Schlüssel in der App ein:",
    "setup.apps": "Google Authenticator, Microsoft Authenticator, 1Password oder jede andere App für "
    "zeitbasierte Codes (TOTP) ist geeignet.",
    "setup.on_phone": "Richten Sie die App auf diesem Smartphone ein? Öffnen Sie den Schlüssel "
    "direkt in Ihrer Authenticator-App:",
    "setup.open_app": "In der Authenticator-App öffnen",
    "setup.copy": "Schlüssel kopieren",
    "setup.copied": "Schlüssel kopiert. Fügen Sie ihn in Ihre Authenticator-App ein.",
    "setup.copy_failed": "Der Schlüssel konnte nicht kopiert werden. Markieren und kopieren Sie ihn "
    "von Hand.",
    "setup.qr_label": "QR-Code, um dieses Konto zu einer Authenticator-App hinzuzufügen",
    "setup.step2": "Geben Sie den 6-stelligen Code ein, den die App anzeigt.",
    "setup.device": "Gerätename (optional)",
    "setup.device_hint": "Zum Beispiel: Diensthandy",
    "setup.submit": "Bestätigen und aktivieren",
    "setup.wrong": "Dieser Code passt nicht. Prüfen Sie, ob die Uhrzeit Ihres Smartphones stimmt, "
    "warten Sie auf einen neuen Code und versuchen Sie es erneut.",
    "setup.same_step": "Codes der letzten 30 Sekunden können nicht noch einmal verwendet werden: "
    "Mit einem davon haben Sie gerade bestätigt, dass Sie es sind. Warten Sie, bis Ihre neue App "
    "den nächsten Code anzeigt, und geben Sie diesen ein.",
    "setup.not_enabled": "Ihre Authenticator-App wurde bestätigt, konnte aber nicht aktiviert "
    "werden. Bitte versuchen Sie es erneut.",
    "setup.unavailable": "Authenticator-Apps sind für diesen Benutzerpool nicht aktiviert. Wenden "
    "Sie sich an Ihre Administration.",
    "setup.device_too_long": "Der Gerätename ist zu lang: höchstens 64 Zeichen.",
    "setup.device_invalid": "Der Gerätename darf nur Buchstaben, Ziffern, Leerzeichen und "
    "Satzzeichen enthalten: keine Steuer- oder Textrichtungszeichen.",
    "setup.done.title": "Ihre Authenticator-App ist eingerichtet",
    "setup.done.body": "Ab jetzt werden Sie bei der Anmeldung nach einem Code aus Ihrer "
    "Authenticator-App gefragt.",
    "setup.done.continue": "Weiter",
    "setup.skip": "Später einrichten",
    "setup.start": "Meinen Einrichtungsschlüssel anzeigen",
    "setup.start_intro": "Klicken Sie auf die Schaltfläche, um den Schlüssel zu erzeugen, den Sie zu "
    "Ihrer Authenticator-App hinzufügen.",
    "setup.proof_intro": "Um sicherzugehen, dass Sie es sind, senden wir einen einmaligen "
    "Einrichtungscode an die E-Mail-Adresse Ihres Kontos. Geben Sie ihn hier ein, um fortzufahren.",
    "setup.proof_send": "Einrichtungscode per E-Mail senden",
    "setup.proof_sent": "Wir haben einen Einrichtungscode an Ihre E-Mail-Adresse gesendet. Er "
    "funktioniert einmal und nur wenige Minuten lang.",
    "setup.proof_label": "8-stelliger Einrichtungscode aus der E-Mail",
    "setup.proof_submit": "Weiter",
    "setup.proof_resend": "Neuen Code senden",
    "setup.proof_resend_hint": "Ein neuer Code ersetzt den zuvor gesendeten.",
    "setup.proof_failed": "Dieser Einrichtungscode hat nicht funktioniert. Prüfen Sie die 8 Ziffern "
    "in unserer neuesten E-Mail und versuchen Sie es erneut, oder lassen Sie sich einen neuen Code "
    "senden.",
    "setup.proof_limit": "Es wurden zu viele Einrichtungscodes angefordert. Warten Sie einige "
    "Minuten und versuchen Sie es erneut.",
    "setup.proof_no_email": "Ihr Konto hat keine bestätigte E-Mail-Adresse, an die wir einen "
    "Einrichtungscode senden können. Wenden Sie sich an den Support.",
    # replace authenticator
    "replace.keeps_working": "Sie ersetzen Ihre Authenticator-App. Ihre bisherige App funktioniert "
    "weiter, bis Sie fertig sind; wenn Sie jetzt abbrechen, ändert sich nichts.",
    "replace.finish_now": "Sie ersetzen Ihre Authenticator-App. Schließen Sie den Vorgang jetzt ab: "
    "Bis der Code der neuen App bestätigt ist, fragt Amazon Cognito nicht mehr nach Ihrer "
    "bisherigen App, und dieses Portal meldet Sie nicht ohne Code an.",
    "replace.cancel": "Abbrechen und bisherige Authenticator-App behalten",
    "account.replace_cancelled_pending": "Der neue Schlüssel wurde hier verworfen, aber Amazon "
    "Cognito hält den Austausch möglicherweise noch als ausstehend. Wenn die Anmeldung nicht mehr "
    "funktioniert, wenden Sie sich an den Support.",
    "account.replace_cancelled": "Ihre Authenticator-App wurde nicht geändert. Ihre bisherige App "
    "funktioniert weiterhin.",
    "replace.title": "Authenticator-App ersetzen",
    "replace.intro": "Um Ihre Authenticator-App zu ersetzen, bestätigen Sie, dass Sie es sind: "
    "Geben Sie Ihr Passwort und einen aktuellen Code aus Ihrer bisherigen App ein.",
    "replace.intro_nocode": "Um eine neue Authenticator-App einzurichten, bestätigen Sie mit Ihrem "
    "Passwort, dass Sie es sind.",
    "replace.submit": "Bestätigen",
    "reproof.intro": "Bestätigen Sie, dass Sie es sind: Geben Sie Ihr Passwort und einen aktuellen "
    "Code aus Ihrer Authenticator-App ein.",
    "reproof.intro_nocode": "Bestätigen Sie mit Ihrem Passwort, dass Sie es sind.",
    "reproof.password": "Ihr Passwort",
    "reproof.failed": "Diese Angaben sind nicht richtig. Prüfen Sie Ihr Passwort und den Code und "
    "versuchen Sie es erneut.",
    "reproof.failed_nocode": "Dieses Passwort ist nicht richtig. Versuchen Sie es erneut.",
    "replace.failed": "Diese Angaben sind nicht richtig. Prüfen Sie Ihr Passwort und den Code und "
    "versuchen Sie es erneut.",
    # account
    "signup.title": "Konto erstellen",
    "signup.link": "Konto erstellen",
    "signup.username": "Benutzername",
    "signup.email": "E-Mail-Adresse",
    "signup.password": "Passwort",
    "signup.confirm": "Passwort bestätigen",
    "signup.submit": "Konto erstellen",
    "signup.have_account": "Ich habe bereits ein Konto",
    "signup.missing": "Geben Sie einen Benutzernamen, Ihre E-Mail-Adresse und ein Passwort ein.",
    "signup.username_missing": "Geben Sie einen Benutzernamen ein.",
    "signup.email_missing": "Geben Sie Ihre E-Mail-Adresse ein.",
    "signup.taken": "Dieser Benutzername ist vergeben. Wählen Sie einen anderen.",
    "signup.invalid": "Prüfen Sie den Benutzernamen und die E-Mail-Adresse: Eine der beiden Angaben "
    "ist ungültig.",
    "signup.limit": "Zu viele Versuche. Warten Sie eine Weile und versuchen Sie es dann erneut.",
    "signup.confirm.title": "E-Mail-Adresse bestätigen",
    "signup.confirm.intro": "Wir haben einen Code an die E-Mail-Adresse von {username} gesendet. "
    "Geben Sie ihn ein, um Ihr Konto fertig zu erstellen.",
    "signup.code": "Code aus der E-Mail",
    "signup.code_format": "Geben Sie den Code aus der E-Mail ein: nur Ziffern.",
    "signup.code_wrong": "Dieser Code ist nicht richtig. Prüfen Sie die E-Mail und versuchen Sie es "
    "erneut.",
    "signup.code_expired": "Dieser Code ist abgelaufen. Fordern Sie unten einen neuen an.",
    "signup.confirm.submit": "Bestätigen",
    "signup.resend": "Neuen Code senden",
    "signup.resent": "Ein neuer Code ist unterwegs.",
    "signin.signed_up": "Ihr Konto ist bereit. Melden Sie sich an, um die Zwei-Schritt-Anmeldung "
    "einzurichten.",
    "account.email": "E-Mail-Adresse",
    "account.email.current": "Aktuelle Adresse",
    "account.email.unverified": "(nicht bestätigt)",
    "account.email.new": "Neue E-Mail-Adresse",
    "account.email.submit": "E-Mail-Adresse ändern",
    "account.email.sent": "Wir haben einen Code an {email} gesendet. Geben Sie ihn ein, um die "
    "Änderung abzuschließen; bis dahin bleibt Ihre aktuelle Adresse bestehen.",
    "account.email.sent_in_force": "Ihre Adresse ist jetzt {email}, aber noch nicht bestätigt: "
    "Wir haben einen Code an sie gesendet. Geben Sie ihn ein, um sie zu bestätigen; bis dahin "
    "erhalten Anwendungen, die sich auf Ihre Adresse verlassen, sie nicht.",
    "account.email.code": "Code aus der E-Mail",
    "account.email.verify": "Bestätigen",
    "account.email.resend": "Neuen Code senden",
    "account.email.missing": "Geben Sie die neue E-Mail-Adresse ein.",
    "account.email.invalid": "Diese E-Mail-Adresse ist ungültig.",
    "account.email.taken": "Diese E-Mail-Adresse gehört zu einem anderen Konto.",
    "account.email.code_wrong": "Dieser Code ist nicht richtig. Prüfen Sie die E-Mail und versuchen "
    "Sie es erneut.",
    "account.email.code_expired": "Dieser Code ist abgelaufen. Fordern Sie einen neuen an.",
    "account.email.limit": "Zu viele Versuche. Warten Sie eine Weile und versuchen Sie es dann "
    "erneut.",
    "account.email.changed": "Ihre E-Mail-Adresse wurde geändert.",
    "account.title": "Ihr Konto",
    "account.mfa": "Zwei-Schritt-Anmeldung",
    "account.mfa.status": "Status",
    "account.mfa.on": "Ein: Authenticator-App",
    "account.mfa.off": "Aus",
    "account.mfa.preferred": "Bevorzugte Methode",
    "account.mfa.none": "Keine",
    "account.mfa.setup": "Authenticator-App einrichten",
    "account.mfa.replace": "Authenticator-App ersetzen",
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
    "account.password": "Passwort ändern",
    "account.password.current": "Aktuelles Passwort",
    "account.password.new": "Neues Passwort",
    "account.password.confirm": "Neues Passwort bestätigen",
    "account.password.submit": "Passwort ändern",
    "account.password.changed": "Ihr Passwort wurde geändert.",
    "account.password.wrong": "Ihr aktuelles Passwort ist nicht richtig.",
    "account.password.current_missing": "Geben Sie Ihr aktuelles Passwort ein.",
    "account.password.limit": "Zu viele Versuche. Warten Sie eine Weile und versuchen Sie es dann "
    "erneut.",
    "account.signout": "Abmelden",
    "account.signout.hint": "Beendet nur Ihre Sitzung in diesem Browser.",
    "account.signout_everywhere": "Überall abmelden",
    "account.signout_everywhere.hint": "Beendet alle Ihre Sitzungen, auf allen Geräten und in allen "
    "Apps.",
    "account.enrolled": "Ihre Authenticator-App ist eingerichtet.",
    # home
    "home.title": "Willkommen",
    "home.signed_in_as": "Sie sind als {username} angemeldet.",
    "home.no_mfa": "Sie haben die Zwei-Schritt-Anmeldung nicht eingerichtet. Wir empfehlen es Ihnen.",
    # errors
    "forbidden.title": "Sie haben keinen Zugriff auf diese Seite",
    "forbidden.body": "Ihr Konto ist nicht berechtigt, diese Seite zu sehen.",
    "notfound.title": "Seite nicht gefunden",
    "notfound.body": "Prüfen Sie die Adresse oder gehen Sie zurück zur Startseite.",
    "badrequest.title": "Diese Anfrage ist ungültig",
    "badrequest.body": "Diese Anfrage ist ungültig: {detail}",
    "badrequest.unreadable": "Die Adresse oder das Formular konnte nicht gelesen werden.",
    "badrequest.export_format": "Das Exportformat muss csv oder jsonl sein.",
    "csrf.title": "Ihr Formular ist abgelaufen",
    "csrf.body": "Bitte gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.",
    "error.title": "Etwas ist schiefgegangen",
    "error.body": "Bitte versuchen Sie es später erneut.",
    "outage.title": "Vorübergehend nicht verfügbar",
    "outage.body": "Das Portal erreicht seine Daten gerade nicht. Bitte versuchen Sie es in einer "
    "Minute erneut.",
    # recovery codes and /recover
    "recovery.codes.title": "Wiederherstellungscodes",
    "recovery.codes.offer": "Wenn Sie Ihr Smartphone verlieren, können Sie mit einem "
    "Wiederherstellungscode die alte Authenticator-App entfernen und eine neue einrichten, ohne auf "
    "den Support zu warten.",
    "recovery.codes.remaining_html.one": "Sie haben <strong>{count}</strong> unbenutzten "
    "Wiederherstellungscode.",
    "recovery.codes.remaining_html.other": "Sie haben <strong>{count}</strong> unbenutzte "
    "Wiederherstellungscodes.",
    "recovery.codes.none": "Sie haben keine unbenutzten Wiederherstellungscodes.",
    "recovery.codes.replace_hint": "Wenn Sie neue Codes erstellen, funktionieren Ihre bisherigen "
    "Codes nicht mehr.",
    "recovery.codes.create": "Wiederherstellungscodes erstellen",
    "recovery.codes.create_new": "Neue Wiederherstellungscodes erstellen",
    "recovery.codes.continue": "Weiter",
    "recovery.codes.back": "Zurück zu Ihrem Konto",
    "recovery.new.title": "Ihre Wiederherstellungscodes",
    "recovery.new.notice": "Sie werden nur jetzt angezeigt. Bewahren Sie sie an einem sicheren Ort "
    "auf, nicht bei Ihrem Smartphone. Jeder Code funktioniert einmal.",
    "recovery.new.download": "Als Textdatei herunterladen",
    "recovery.new.filename": "wiederherstellungscodes.txt",
    "recovery.new.saved": "Ich habe sie gespeichert – weiter",
    "recovery.recover.title": "Authenticator-App verloren?",
    "recovery.recover.failed": "Benutzername, Passwort oder Wiederherstellungscode ist nicht richtig.",
    "recovery.recover.missing": "Geben Sie Ihren Benutzernamen, Ihr Passwort und einen "
    "Wiederherstellungscode ein.",
    "recovery.recover.intro": "Geben Sie Ihr Passwort und einen Ihrer Wiederherstellungscodes ein. "
    "Ihre alte Authenticator-App wird entfernt, Sie werden überall abgemeldet und richten sofort "
    "eine neue Authenticator-App ein.",
    "recovery.recover.code": "Wiederherstellungscode",
    "recovery.recover.code_hint": "16 Buchstaben und Ziffern, zum Beispiel ABCD-EFGH-IJKL-MNOP.",
    "recovery.recover.submit": "Meine alte Authenticator-App entfernen",
    "recovery.recover.no_codes": "Keine Wiederherstellungscodes mehr? Wenden Sie sich an den "
    "Support: Er kann Ihre Authenticator-App zurücksetzen, nachdem er geprüft hat, wer Sie sind.",
    "recovery.done.title": "Authenticator-App entfernt",
    "recovery.done.heading": "Ihre alte Authenticator-App wurde entfernt",
    "recovery.done.body": "Sie wurden überall abgemeldet. Melden Sie sich erneut an, um Ihre neue "
    "Authenticator-App einzurichten. Wenn Ihr Konto eine E-Mail-Adresse hat, wurde ein Hinweis auf "
    "diese Änderung dorthin gesendet.",
    "recovery.done.submit": "Anmelden und einrichten",
    "recovery.done.set_up": "Sie wurden überall sonst abgemeldet. Richten Sie jetzt Ihre neue "
    "Authenticator-App ein. Wenn Ihr Konto eine E-Mail-Adresse hat, wurde ein Hinweis auf diese "
    "Änderung dorthin gesendet.",
    "recovery.done.continue": "Neue Authenticator-App einrichten",
    **STRINGS_CONSOLE_DE,
}
