/** German messages (ICU MessageFormat); the same keys as English (templates.test.ts checks it). */
export const de: Record<string, string> = {
  'layout.greeting': 'Hallo {name},',
  'layout.greetingAnonymous': 'Hallo,',
  'layout.open': 'In {tenantName} öffnen',
  'layout.footer': 'Diese Nachricht kommt von {tenantName}.',
  'layout.unsubscribe': 'Diese E-Mails abbestellen',
  'layout.preferences': 'In Ihren Benachrichtigungseinstellungen wählen Sie, welche Benachrichtigungen Sie erhalten.',

  'identity.password_changed.subject': 'Ihr Passwort wurde geändert',
  'identity.password_changed.title': 'Ihr Passwort wurde geändert',
  'identity.password_changed.body':
    'Das Passwort Ihres Kontos bei {tenantName} wurde geändert, und Ihre anderen Sitzungen wurden abgemeldet. Wenn Sie das nicht waren, setzen Sie Ihr Passwort jetzt zurück: Damit werden Sie überall abgemeldet.',
  'identity.password_changed.action': 'Passwort zurücksetzen',

  'commerce.receipt.subject': 'Ihre Quittung: Rechnung {invoiceNumber}',
  'commerce.receipt.title': 'Quittung zur Rechnung {invoiceNumber}: {total}',
  'commerce.receipt.body':
    'Vielen Dank für Ihren Einkauf. {sellerName} hat Ihre Zahlung von {total} am {paidAt} erhalten: {items}. {taxTreatment, select, standard {Darin enthaltene Steuer: {taxTotal}.} reverse_charge {Keine Umsatzsteuer berechnet (Steuerschuldnerschaft des Leistungsempfängers).} other {Keine Steuer berechnet.}} Die Rechnung {invoiceNumber} finden Sie in Ihrem Konto unter „Meine Rechnungen“, wo Sie sie auch als PDF herunterladen können.',

  'assessment.submission_graded.subject': 'Ihre Aufgabe wurde bewertet',
  'assessment.submission_graded.title':
    '„{lessonTitle}“ wurde bewertet: {points, number} von {maxPoints, number} Punkten',
  'assessment.submission_graded.body':
    'Ihre Abgabe zu „{lessonTitle}“ im Kurs „{courseTitle}“ wurde bewertet: {points, number} von {maxPoints, number} Punkten{late, select, true { (verspätet abgegeben)} other {}}. {passed, select, true {Sie haben bestanden.} other {Die Mindestpunktzahl ist noch nicht erreicht; lesen Sie das Feedback und reichen Sie erneut ein, wenn die Aufgabe es erlaubt.}} Melden Sie sich an, um das Feedback zu lesen.',

  'community.post_mentioned.subject': '{authorName} hat Sie erwähnt',
  'community.post_mentioned.title': '{authorName} hat Sie in einem Beitrag erwähnt',
  'community.post_mentioned.body':
    '{authorName} hat Sie in einem Beitrag erwähnt. Öffnen Sie ihn, um zu lesen und zu antworten.',

  'community.comment_created.subject': 'Neuer Kommentar zu Ihrem Beitrag',
  'community.comment_created.title': '{authorName} hat Ihren Beitrag kommentiert',
  'community.comment_created.body': '{authorName} hat einen Kommentar zu Ihrem Beitrag geschrieben.',

  'community.event_reminder_due.subject': 'Erinnerung: {title}',
  'community.event_reminder_due.title': '„{title}“ beginnt {startsAt}',
  'community.event_reminder_due.body': 'Sie nehmen an „{title}“ teil. Es beginnt {startsAt}.',

  'moderation.appeal_decided.subject': 'Über Ihren Einspruch wurde entschieden',
  'moderation.appeal_decided.title':
    '{granted, select, true {Ihrem Einspruch wurde stattgegeben} other {Ihr Einspruch wurde abgelehnt}}',
  'moderation.appeal_decided.body':
    '{granted, select, true {Ihrem Einspruch wurde stattgegeben: Die Moderationsmaßnahme wurde aufgehoben.} other {Ihr Einspruch wurde geprüft und abgelehnt: Die Moderationsmaßnahme bleibt bestehen.}}',

  // Web-Push und Zusammenfassungen (Issue 13, Punkte 1 und 3): in einem eigenen Block.
  'push.security.title': 'Sicherheitshinweis von {tenantName}',
  'push.security.body': 'Öffnen Sie {tenantName}, um ihn zu lesen.',
  'digest.daily.subject':
    '{count, plural, one {# neue Benachrichtigung} other {# neue Benachrichtigungen}} von {tenantName} heute',
  'digest.weekly.subject':
    'Ihre Woche bei {tenantName}: {count, plural, one {# neue Benachrichtigung} other {# neue Benachrichtigungen}}',
  'digest.daily.intro': 'Das ist heute bei {tenantName} passiert:',
  'digest.weekly.intro': 'Das ist diese Woche bei {tenantName} passiert:',
  'digest.reason':
    'Sie erhalten diese Zusammenfassung, weil Sie tägliche oder wöchentliche Zusammenfassungen in Ihren Benachrichtigungseinstellungen gewählt haben.',
  'digest.unsubscribe': 'Alle Aktivitäts-E-Mails abbestellen',

  // Die Mails, die Module bisher selbst bauten (Issue 13, Punkt 10).
  'identity.email_verification.subject': 'Bestätigen Sie Ihre E-Mail-Adresse',
  'identity.email_verification.title': 'Bestätigen Sie Ihre E-Mail-Adresse',
  'identity.email_verification.body':
    'Willkommen bei {tenantName}! Bestätigen Sie Ihre E-Mail-Adresse, um Ihr Konto fertig einzurichten. Der Link funktioniert einmal und läuft in {validHours, plural, one {# Stunde} other {# Stunden}} ab. Wenn Sie sich nicht registriert haben, ignorieren Sie diese E-Mail.',
  'identity.email_verification.action': 'E-Mail-Adresse bestätigen',

  'identity.password_reset.subject': 'Passwort zurücksetzen',
  'identity.password_reset.title': 'Passwort zurücksetzen',
  'identity.password_reset.body':
    'Jemand (hoffentlich Sie) hat verlangt, das Passwort Ihres Kontos bei {tenantName} zurückzusetzen. Der Link funktioniert einmal und läuft in {validMinutes, plural, one {# Minute} other {# Minuten}} ab. Das Zurücksetzen meldet Sie überall ab. Wenn Sie das nicht verlangt haben, ignorieren Sie diese E-Mail; Ihr Passwort bleibt unverändert.',
  'identity.password_reset.action': 'Neues Passwort wählen',

  'identity.magic_link.subject': 'Ihr Anmeldelink',
  'identity.magic_link.title': 'Ihr Anmeldelink',
  'identity.magic_link.body':
    'Jemand (hoffentlich Sie) hat einen Link angefordert, um sich ohne Passwort bei {tenantName} anzumelden. Der Link funktioniert einmal und läuft in {validMinutes, plural, one {# Minute} other {# Minuten}} ab. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese E-Mail; ohne ihn kann sich niemand anmelden.',
  'identity.magic_link.action': 'Anmelden',

  'identity.account_exists.subject': 'Sie haben bereits ein Konto',
  'identity.account_exists.title': 'Jemand wollte sich mit Ihrer Adresse registrieren',
  'identity.account_exists.body':
    'Jemand (hoffentlich Sie) wollte sich bei {tenantName} mit dieser E-Mail-Adresse registrieren, aber zu ihr gibt es bereits ein Konto. Melden Sie sich mit einem Link per E-Mail an, oder setzen Sie dort Ihr Passwort zurück, falls Sie es vergessen haben. Wenn Sie das nicht waren, können Sie diese E-Mail ignorieren; Ihr Konto wurde nicht verändert.',
  'identity.account_exists.action': 'Mit einem Link per E-Mail anmelden',

  'identity.account_locked.subject': 'Ihr Konto wurde nach fehlgeschlagenen Anmeldungen gesperrt',
  'identity.account_locked.title': 'Ihr Konto wurde nach fehlgeschlagenen Anmeldungen gesperrt',
  'identity.account_locked.body':
    'Jemand hat mehrmals versucht, sich mit einem falschen Passwort bei Ihrem Konto bei {tenantName} anzumelden, deshalb haben wir es gesperrt. {untilReset, select, true {Es bleibt gesperrt, bis Sie Ihr Passwort zurücksetzen.} other {Es wird nach einer Weile von selbst entsperrt, oder sofort, wenn Sie Ihr Passwort zurücksetzen.}} Wenn Sie es waren, warten Sie oder setzen Sie Ihr Passwort zurück. Wenn nicht, hat Ihr Passwort dem Angreifer nicht genügt, aber wählen Sie ein stärkeres.',
  'identity.account_locked.action': 'Passwort zurücksetzen',

  'identity.mfa_enabled.subject': 'Die Zwei-Faktor-Anmeldung wurde eingeschaltet',
  'identity.mfa_enabled.title': 'Die Zwei-Faktor-Anmeldung wurde eingeschaltet',
  'identity.mfa_enabled.body':
    'Für die Zwei-Faktor-Anmeldung bei Ihrem Konto bei {tenantName} wurde eine Authenticator-App eingerichtet. Wenn Sie das nicht waren, setzen Sie Ihr Passwort jetzt zurück: Damit werden Sie überall abgemeldet.',
  'identity.mfa_enabled.action': 'Passwort zurücksetzen',

  'identity.mfa_disabled.subject': 'Die Zwei-Faktor-Anmeldung wurde ausgeschaltet',
  'identity.mfa_disabled.title': 'Die Zwei-Faktor-Anmeldung wurde ausgeschaltet',
  'identity.mfa_disabled.body':
    '{byAdministrator, select, true {Ein Administrator von {tenantName} hat die Zwei-Faktor-Anmeldung für Ihr Konto zurückgesetzt; richten Sie sie bei der nächsten Anmeldung wieder ein.} other {Die Zwei-Faktor-Anmeldung bei Ihrem Konto bei {tenantName} wurde ausgeschaltet, und ihre Wiederherstellungscodes gelten nicht mehr.}} Wenn Sie das nicht waren, setzen Sie Ihr Passwort jetzt zurück: Damit werden Sie überall abgemeldet.',
  'identity.mfa_disabled.action': 'Passwort zurücksetzen',

  'identity.recovery_codes_regenerated.subject': 'Neue Wiederherstellungscodes wurden erstellt',
  'identity.recovery_codes_regenerated.title': 'Neue Wiederherstellungscodes wurden erstellt',
  'identity.recovery_codes_regenerated.body':
    'Für Ihr Konto bei {tenantName} wurden neue Wiederherstellungscodes erstellt; die bisherigen gelten nicht mehr. Wenn Sie das nicht waren, setzen Sie Ihr Passwort jetzt zurück: Damit werden Sie überall abgemeldet.',
  'identity.recovery_codes_regenerated.action': 'Passwort zurücksetzen',

  'identity.api_key_issued.subject': 'Mit Ihrem Konto wurde ein API-Schlüssel erstellt',
  'identity.api_key_issued.title': 'Mit Ihrem Konto wurde der API-Schlüssel „{name}“ erstellt',
  'identity.api_key_issued.body':
    'Mit Ihrem Konto bei {tenantName} wurde ein API-Schlüssel namens „{name}“ (er beginnt mit {prefix}) erstellt. Er gilt, bis er abläuft oder widerrufen wird oder Ihr Konto deaktiviert wird. Wenn Sie das nicht waren, widerrufen Sie ihn unter „API-Schlüssel“ und setzen Sie Ihr Passwort jetzt zurück.',
  'identity.api_key_issued.action': 'Passwort zurücksetzen',

  'identity.invitation.subject': 'Einladung zu {tenantName}',
  'identity.invitation.title': 'Einladung zu {tenantName}',
  'identity.invitation.body':
    'Sie wurden eingeladen, {tenantName} beizutreten (Rollen: {roles}). Öffnen Sie den Link, um anzunehmen: Erstellen Sie Ihr Konto, oder melden Sie sich an, wenn Sie mit dieser E-Mail-Adresse schon eines haben. Der Link funktioniert einmal und läuft in {validDays, plural, one {# Tag} other {# Tagen}} ab. Wenn Sie diese Einladung nicht erwartet haben, ignorieren Sie diese E-Mail.',
  'identity.invitation.action': 'Einladung annehmen',

  'identity.instructor_application_decided.subject':
    '{approved, select, true {Ihre Bewerbung als Lehrende:r wurde angenommen} other {Ihre Bewerbung als Lehrende:r wurde nicht angenommen}}',
  'identity.instructor_application_decided.title':
    '{approved, select, true {Ihre Bewerbung als Lehrende:r wurde angenommen} other {Ihre Bewerbung als Lehrende:r wurde nicht angenommen}}',
  'identity.instructor_application_decided.body':
    '{approved, select, true {Gute Nachricht: Ihre Bewerbung zum Unterrichten wurde angenommen, und Ihr Konto hat jetzt die Rolle Lehrende:r. Sie gilt ab Ihrer nächsten Anfrage; melden Sie sich neu an, falls die App sie noch nicht zeigt.} other {Vielen Dank für Ihre Bewerbung zum Unterrichten. Nach Prüfung wurde sie diesmal nicht angenommen. Sie können sich wieder bewerben, wenn Sie so weit sind.}}{withNote, select, true { Anmerkung der Prüfung: {note}} other {}}',

  'enrolment.enrolled.subject': 'Willkommen in „{courseTitle}“',
  'enrolment.enrolled.title': 'Sie sind in „{courseTitle}“ eingeschrieben',
  'enrolment.enrolled.body':
    'Sie sind jetzt in „{courseTitle}“ eingeschrieben. {expires, select, true {Ihr Zugang gilt bis {accessEndsOn}.} other {Ihr Zugang läuft nicht ab.}} Viel Freude beim Lernen!',

  'enrolment.expired.subject': 'Ihr Kurszugang ist abgelaufen',
  'enrolment.expired.title': 'Ihr Zugang zu „{courseTitle}“ ist abgelaufen',
  'enrolment.expired.body':
    'Ihr Zugang zu „{courseTitle}“ ist am {expiredAt} abgelaufen. Ihr Fortschritt bleibt erhalten: Wenn Sie wieder eingeschrieben werden, machen Sie dort weiter, wo Sie aufgehört haben.',

  'progress.lesson_unlocked.subject': 'Neue Lektion freigeschaltet: {lessonTitle}',
  'progress.lesson_unlocked.title': 'Neue Lektion freigeschaltet: {lessonTitle}',
  'progress.lesson_unlocked.body':
    '{wholeModule, select, true {Das Modul „{moduleTitle}“ von „{courseTitle}“ ist jetzt offen, beginnend mit „{lessonTitle}“.} other {In „{courseTitle}“ ist eine neue Lektion offen: „{lessonTitle}“.}} Machen Sie weiter, wann immer Sie bereit sind.',

  'credentials.certificate_issued.subject': 'Ihr Zertifikat ist bereit',
  'credentials.certificate_issued.title': 'Ihr Zertifikat für „{courseTitle}“ ist bereit',
  'credentials.certificate_issued.body':
    'Herzlichen Glückwunsch zum Abschluss von „{courseTitle}“. {issuerName} hat Ihr Zertifikat ausgestellt. Jeder kann es unter {verificationUrl} prüfen. Das PDF und den Open-Badges-3.0-Nachweis (für Ihre digitale Brieftasche) finden Sie unter „Meine Zertifikate“.{named, select, true {} other { Ihr Zertifikat nennt Sie {recipientName}, da Ihr Profil keinen Anzeigenamen hat. Legen Sie einen fest, damit er auf den Zertifikaten steht, die Sie von nun an erwerben.}}',

  'commerce.refund.subject': 'Ihre Erstattung: Gutschrift {creditNoteNumber}',
  'commerce.refund.title': 'Erstattung von {amount} zur Rechnung {invoiceNumber}',
  'commerce.refund.body':
    '{sellerName} hat am {refundedAt} {amount} der Rechnung {invoiceNumber} erstattet. Je nach Bank kann es einige Tage dauern, bis der Betrag auf Ihrem Konto erscheint. Die Gutschrift {creditNoteNumber} belegt die Erstattung; Sie finden sie bei der Rechnung in Ihrem Konto unter „Meine Rechnungen“.',

  'community.event_cancelled.subject': 'Abgesagt: {title}',
  'community.event_cancelled.title': '„{title}“ wurde abgesagt',
  'community.event_cancelled.body':
    '„{title}“, das {startsAt} beginnen sollte, wurde von den Organisatoren abgesagt. Sie hatten zugesagt; Sie müssen nichts weiter tun.',
}
