/**
 * The name a certificate shows: the learner's display name, or else a masked form of the email
 * address (`ada@example.org` → `a***@e***.org`). Never the address itself: the page and the PDF are
 * public to anyone holding the verification link, while the signed credential only carries a
 * salted hash of the address.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  const local = at > 0 ? email.slice(0, at) : email
  const domain = at > 0 ? email.slice(at + 1) : ''
  const dot = domain.lastIndexOf('.')
  const suffix = dot > 0 ? domain.slice(dot) : ''
  const first = (text: string) => [...text][0] ?? ''
  return `${first(local)}***@${first(domain)}***${suffix}`
}

export function recipientNameOf(user: { displayName: string | null; email: string }): string {
  return user.displayName?.trim() || maskEmail(user.email)
}
