/**
 * The one canonical form of an email address, used to store, look up and compare: trimmed,
 * NFC-normalised and lower-cased. Lower-casing the local part is technically lossy (RFC 5321),
 * but no real provider distinguishes case, and two accounts differing only by case would be a
 * takeover and confusion hazard.
 */
export const normaliseEmail = (email: string): string => email.trim().normalize('NFC').toLowerCase()

/** Route hook: normalises `body.email` before schema validation, so " Ann@X.org " is valid input. */
export async function normaliseEmailField(request: { body: unknown }): Promise<void> {
  const body = request.body
  if (body !== null && typeof body === 'object' && 'email' in body && typeof body.email === 'string')
    body.email = normaliseEmail(body.email)
}
