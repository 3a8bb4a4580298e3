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
    'Das Passwort Ihres Kontos bei {tenantName} wurde geändert. Wenn Sie das nicht waren, setzen Sie Ihr Passwort jetzt zurück ({resetUrl}): Damit werden Sie überall abgemeldet.',

  'commerce.receipt.subject': 'Ihre Quittung: Rechnung {invoiceNumber}',
  'commerce.receipt.title': 'Quittung zur Rechnung {invoiceNumber}: {total}',
  'commerce.receipt.body':
    'Vielen Dank für Ihren Einkauf. {sellerName} hat Ihre Zahlung von {total} erhalten. Die Rechnung {invoiceNumber} finden Sie in Ihrem Konto unter „Meine Rechnungen“.',

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
}
