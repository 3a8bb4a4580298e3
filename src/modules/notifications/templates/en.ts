/**
 * English messages (ICU MessageFormat): the fallback of every other locale, so it defines every
 * key. `<type>.subject` is the mail's subject, `.title` the inbox line, `.body` the paragraph both
 * show, and the optional `.action` the button's label (else `layout.open`). Parameters are escaped
 * when the HTML part is built, never here.
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
    'The password of your account at {tenantName} was changed, and your other sessions were signed out. If this was not you, reset your password now: that signs you out everywhere.',
  'identity.password_changed.action': 'Reset my password',

  'commerce.receipt.subject': 'Your receipt: invoice {invoiceNumber}',
  'commerce.receipt.title': 'Receipt for invoice {invoiceNumber}: {total}',
  'commerce.receipt.body':
    'Thank you for your purchase. {sellerName} received your payment of {total} on {paidAt}: {items}. {taxTreatment, select, standard {Of which tax: {taxTotal}.} reverse_charge {No VAT charged (reverse charge).} other {No tax charged.}} Invoice {invoiceNumber} is in your account under “My invoices”, where you can also download it as PDF.',

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

  // The mails modules used to build themselves (issue 13 point 10). `<type>.action` names the button.
  'identity.email_verification.subject': 'Confirm your email address',
  'identity.email_verification.title': 'Confirm your email address',
  'identity.email_verification.body':
    'Welcome to {tenantName}! Confirm your email address to finish creating your account. The link works once and expires in {validHours, plural, one {# hour} other {# hours}}. If you did not sign up, ignore this email.',
  'identity.email_verification.action': 'Confirm my email address',

  'identity.password_reset.subject': 'Reset your password',
  'identity.password_reset.title': 'Reset your password',
  'identity.password_reset.body':
    'Someone (hopefully you) asked to reset the password of your account at {tenantName}. The link works once and expires in {validMinutes, plural, one {# minute} other {# minutes}}. Resetting signs you out everywhere. If you did not ask for this, ignore this email; your password stays as it is.',
  'identity.password_reset.action': 'Choose a new password',

  'identity.magic_link.subject': 'Your sign-in link',
  'identity.magic_link.title': 'Your sign-in link',
  'identity.magic_link.body':
    'Someone (hopefully you) asked for a link to sign in to {tenantName} without a password. The link works once and expires in {validMinutes, plural, one {# minute} other {# minutes}}. If you did not ask for this, ignore this email; nobody can sign in without it.',
  'identity.magic_link.action': 'Sign in',

  'identity.account_exists.subject': 'You already have an account',
  'identity.account_exists.title': 'Someone tried to sign up with your address',
  'identity.account_exists.body':
    'Someone (hopefully you) tried to sign up at {tenantName} with this email address, but it already has an account. Sign in with a link by email, or reset your password there if you forgot it. If this was not you, you can ignore this email; your account has not been changed.',
  'identity.account_exists.action': 'Sign in with a link by email',

  'identity.account_locked.subject': 'Your account was locked after failed sign-ins',
  'identity.account_locked.title': 'Your account was locked after failed sign-ins',
  'identity.account_locked.body':
    'Someone tried to sign in to your account at {tenantName} with a wrong password several times, so we locked it. {untilReset, select, true {It stays locked until you reset your password.} other {It unlocks by itself after a while, or at once when you reset your password.}} If it was you, wait or reset your password. If it was not, your password was not enough to get in, but choose a stronger one.',
  'identity.account_locked.action': 'Reset my password',

  'identity.mfa_enabled.subject': 'Two-factor authentication was turned on',
  'identity.mfa_enabled.title': 'Two-factor authentication was turned on',
  'identity.mfa_enabled.body':
    'An authenticator app was set up for two-factor sign-in to your account at {tenantName}. If this was not you, reset your password now: that signs you out everywhere.',
  'identity.mfa_enabled.action': 'Reset my password',

  'identity.mfa_disabled.subject': 'Two-factor authentication was turned off',
  'identity.mfa_disabled.title': 'Two-factor authentication was turned off',
  'identity.mfa_disabled.body':
    '{byAdministrator, select, true {An administrator of {tenantName} reset two-factor sign-in for your account; set it up again when you next sign in.} other {Two-factor sign-in to your account at {tenantName} was turned off, and its recovery codes no longer work.}} If this was not you, reset your password now: that signs you out everywhere.',
  'identity.mfa_disabled.action': 'Reset my password',

  'identity.recovery_codes_regenerated.subject': 'New two-factor recovery codes were created',
  'identity.recovery_codes_regenerated.title': 'New two-factor recovery codes were created',
  'identity.recovery_codes_regenerated.body':
    'New recovery codes were created for your account at {tenantName}; the previous ones no longer work. If this was not you, reset your password now: that signs you out everywhere.',
  'identity.recovery_codes_regenerated.action': 'Reset my password',

  'identity.api_key_issued.subject': 'An API key was created with your account',
  'identity.api_key_issued.title': 'API key “{name}” was created with your account',
  'identity.api_key_issued.body':
    'An API key named “{name}” (it starts {prefix}) was created with your account at {tenantName}. It works until it expires or is revoked, or your account is disabled. If this was not you, revoke it under API keys and reset your password now.',
  'identity.api_key_issued.action': 'Reset my password',

  'identity.invitation.subject': "You're invited to join {tenantName}",
  'identity.invitation.title': "You're invited to join {tenantName}",
  'identity.invitation.body':
    'You have been invited to join {tenantName} (as {roles}). Open the link to accept: create your account, or sign in if you already have one with this email address. The link works once and expires in {validDays, plural, one {# day} other {# days}}. If you did not expect this invitation, ignore this email.',
  'identity.invitation.action': 'Accept the invitation',

  'identity.instructor_application_decided.subject':
    '{approved, select, true {Your instructor application was approved} other {Your instructor application was not approved}}',
  'identity.instructor_application_decided.title':
    '{approved, select, true {Your instructor application was approved} other {Your instructor application was not approved}}',
  'identity.instructor_application_decided.body':
    '{approved, select, true {Good news: your application to teach was approved, and your account now has the instructor role. It applies from your next request; sign in again if the app does not show it yet.} other {Thank you for applying to teach. After review, your application was not approved this time. You may apply again when you are ready.}}{withNote, select, true { Note from the reviewer: {note}} other {}}',

  'enrolment.enrolled.subject': 'Welcome to “{courseTitle}”',
  'enrolment.enrolled.title': 'You are enrolled in “{courseTitle}”',
  'enrolment.enrolled.body':
    'You are now enrolled in “{courseTitle}”. {expires, select, true {Your access lasts until {accessEndsOn}.} other {Your access does not expire.}} Happy learning!',

  'enrolment.expired.subject': 'Your course access has ended',
  'enrolment.expired.title': 'Your access to “{courseTitle}” has ended',
  'enrolment.expired.body':
    'Your access to “{courseTitle}” ended on {expiredAt}. Your progress is kept: if you are enrolled again, you continue where you left off.',

  'progress.lesson_unlocked.subject': 'New lesson unlocked: {lessonTitle}',
  'progress.lesson_unlocked.title': 'New lesson unlocked: {lessonTitle}',
  'progress.lesson_unlocked.body':
    '{wholeModule, select, true {Module “{moduleTitle}” of “{courseTitle}” is now open, starting with “{lessonTitle}”.} other {In “{courseTitle}”, a new lesson is open: “{lessonTitle}”.}} Pick up where you left off whenever you are ready.',

  'credentials.certificate_issued.subject': 'Your certificate is ready',
  'credentials.certificate_issued.title': 'Your certificate for “{courseTitle}” is ready',
  'credentials.certificate_issued.body':
    'Congratulations on completing “{courseTitle}”. {issuerName} has issued your certificate. Anyone can check it at {verificationUrl}. Download the PDF and the Open Badges 3.0 credential (for your digital wallet) under “My certificates”.{named, select, true {} other { Your certificate names you as {recipientName}, since your profile has no display name. Set one in your profile to have it printed on the certificates you earn from now on.}}',

  'commerce.refund.subject': 'Your refund: credit note {creditNoteNumber}',
  'commerce.refund.title': 'Refund of {amount} for invoice {invoiceNumber}',
  'commerce.refund.body':
    '{sellerName} refunded {amount} of invoice {invoiceNumber} on {refundedAt}. Depending on your bank it can take a few days to show on your statement. Credit note {creditNoteNumber} records the refund; it is in your account with the invoice, under “My invoices”.',

  'community.event_cancelled.subject': 'Cancelled: {title}',
  'community.event_cancelled.title': '“{title}” was cancelled',
  'community.event_cancelled.body':
    '“{title}”, which was to start {startsAt}, was cancelled by its organisers. You were going; there is nothing more to do.',
}
