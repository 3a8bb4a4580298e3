/**
 * The password policy (NIST SP 800-63B 3.1.1.2, ASVS V6.2): length counted in Unicode code
 * points after NFC normalisation, any character allowed, no composition rules, and refusal of
 * known-common passwords and of passwords built from the account's own email address or the
 * service's name.
 * Every violation is reported at once, as field errors on `body.password`.
 */
import { AppError, type FieldError } from '../../../platform/errors.ts'
import { isCommonPassword } from './common-passwords.ts'
import { normalisePassword } from './password-hasher.ts'

export const PASSWORD_MIN_LENGTH = 12
export const PASSWORD_MAX_LENGTH = 128
/** Shorter email local parts ("al", "jo") would forbid far too many passwords by containment. */
const MIN_LOCAL_PART_FOR_CONTAINMENT = 4
/** The service's name: the context-specific word (NIST SP 800-63B 3.1.1.2) a guesser tries for every account here. */
const SERVICE_NAME = 'lyceum'

export interface PasswordContext {
  /** The account's (normalised) email address. */
  email: string
}

const PATH = 'body.password'

/** The local part and, for `alice+tag@…`, its untagged form: the words a guesser tries first. */
function emailWords(email: string): string[] {
  const local = email
    .slice(0, email.lastIndexOf('@') === -1 ? email.length : email.lastIndexOf('@'))
    .normalize('NFC')
    .toLowerCase()
  const untagged = local.split('+')[0] ?? local
  return [...new Set([local, untagged])].filter((word) => [...word].length >= MIN_LOCAL_PART_FOR_CONTAINMENT)
}

export function passwordViolations(password: string, context: PasswordContext): FieldError[] {
  const normalised = normalisePassword(password)
  const length = [...normalised].length
  const errors: FieldError[] = []
  if (length < PASSWORD_MIN_LENGTH)
    errors.push({ path: PATH, code: 'too_short', message: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
  if (length > PASSWORD_MAX_LENGTH)
    errors.push({ path: PATH, code: 'too_long', message: `must be at most ${PASSWORD_MAX_LENGTH} characters` })
  if (isCommonPassword(normalised, PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH))
    errors.push({ path: PATH, code: 'common', message: 'is a commonly used password; choose another' })
  const lowered = normalised.toLowerCase()
  if (emailWords(context.email).some((word) => lowered.includes(word)))
    errors.push({ path: PATH, code: 'contains_email', message: 'must not contain your email address' })
  if (lowered.includes(SERVICE_NAME))
    errors.push({
      path: PATH,
      code: 'contains_service_name',
      message: `must not contain the service name "${SERVICE_NAME}"`,
    })
  return errors
}

export const passwordErrors = {
  rejected: (errors: FieldError[]) =>
    new AppError(
      'invalid',
      'PASSWORD_POLICY_VIOLATION',
      `The password does not meet the policy: ${errors.map((e) => e.message).join('; ')}`,
      { errors },
    ),
}

/** Throws PASSWORD_POLICY_VIOLATION listing every problem with the password. */
export function assertPasswordPolicy(password: string, context: PasswordContext): void {
  const errors = passwordViolations(password, context)
  if (errors.length > 0) throw passwordErrors.rejected(errors)
}
