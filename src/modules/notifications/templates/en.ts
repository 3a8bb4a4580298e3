/**
 * English messages (ICU MessageFormat): the fallback of every other locale, so it defines every
 * key. `<type>.subject` is the mail's subject, `.title` the inbox line, `.body` the paragraph both
 * show. Parameters are escaped when the HTML part is built, never here.
 */
export const en: Record<string, string> = {
  'layout.greeting': 'Hello {name},',
  'layout.greetingAnonymous': 'Hello,',
  'layout.open': 'Open in {tenantName}',
  'layout.footer': 'You receive this from {tenantName}.',
  'layout.preferences': 'Choose which notifications you receive in your notification settings.',
  'layout.unsubscribe': 'Unsubscribe from these emails',

  'identity.password_changed.subject': 'Your password was changed',
  'identity.password_changed.title': 'Your password was changed',
  'identity.password_changed.body':
    'The password of your account at {tenantName} was changed. If this was not you, reset your password now ({resetUrl}): that signs you out everywhere.',

  'commerce.receipt.subject': 'Your receipt: invoice {invoiceNumber}',
  'commerce.receipt.title': 'Receipt for invoice {invoiceNumber}: {total}',
  'commerce.receipt.body':
    'Thank you for your purchase. {sellerName} received your payment of {total}. Invoice {invoiceNumber} is in your account under “My invoices”.',

  'assessment.submission_graded.subject': 'Your assignment was graded',
  'assessment.submission_graded.title': '“{lessonTitle}” was graded: {points, number} of {maxPoints, number} points',
  'assessment.submission_graded.body':
    'Your submission for “{lessonTitle}” in “{courseTitle}” was graded: {points, number} of {maxPoints, number} points{late, select, true { (submitted late)} other {}}. {passed, select, true {You passed.} other {It did not reach the pass mark yet; check the feedback and resubmit if the assignment allows it.}} Sign in to read the feedback.',

  'community.post_mentioned.subject': '{authorName} mentioned you',
  'community.post_mentioned.title': '{authorName} mentioned you in a post',
  'community.post_mentioned.body': '{authorName} mentioned you in a post. Open it to read and reply.',

  'community.comment_created.subject': 'New comment on your post',
  'community.comment_created.title': '{authorName} commented on your post',
  'community.comment_created.body': '{authorName} wrote a comment on your post.',

  'community.event_reminder_due.subject': 'Reminder: {title}',
  'community.event_reminder_due.title': '“{title}” starts {startsAt}',
  'community.event_reminder_due.body': 'You are going to “{title}”. It starts {startsAt}.',

  'moderation.appeal_decided.subject': 'Your appeal was decided',
  'moderation.appeal_decided.title':
    '{granted, select, true {Your appeal was granted} other {Your appeal was not granted}}',
  'moderation.appeal_decided.body':
    '{granted, select, true {Your appeal was granted: the moderation action was undone.} other {Your appeal was reviewed and not granted: the moderation action stays in place.}}',

  // Web push and digests (issue 13 points 1 and 3): kept in their own block.
  'push.security.title': 'Security notice from {tenantName}',
  'push.security.body': 'Open {tenantName} to read it.',
  'digest.daily.subject':
    '{count, plural, one {# new notification} other {# new notifications}} from {tenantName} today',
  'digest.weekly.subject':
    'Your week at {tenantName}: {count, plural, one {# new notification} other {# new notifications}}',
  'digest.daily.intro': 'Here is what happened at {tenantName} today:',
  'digest.weekly.intro': 'Here is what happened at {tenantName} this week:',
  'digest.reason': 'You receive this digest because you chose daily or weekly digests in your notification settings.',
  'digest.unsubscribe': 'Unsubscribe from all activity emails',
}
