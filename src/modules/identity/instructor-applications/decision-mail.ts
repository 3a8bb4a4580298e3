/**
 * The email telling an applicant how their instructor application was decided. It carries the
 * reviewer's note (written for the applicant) and nothing else from the tenant.
 */
export interface DecisionMail {
  subject: string
  text: string
}

/** `home`: where the tenant's people land (its web client, else its host). */
export function decisionMail(decision: 'approved' | 'rejected', home: string, note: string | null): DecisionMail {
  const noteLines = note ? ['', 'Note from the reviewer:', note] : []
  if (decision === 'approved')
    return {
      subject: 'Your instructor application was approved',
      text: [
        'Good news: your application to teach was approved, and your account now has the instructor role.',
        'It applies from your next request; sign in again if the app does not show it yet.',
        ...noteLines,
        '',
        `Start here: ${home}`,
      ].join('\n'),
    }
  return {
    subject: 'Your instructor application was not approved',
    text: [
      'Thank you for applying to teach. After review, your application was not approved this time.',
      ...noteLines,
      '',
      'You may apply again when you are ready.',
    ].join('\n'),
  }
}
