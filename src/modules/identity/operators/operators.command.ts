/**
 * `lyceum operators create|disable|unlock`. The password never comes from argv (it would sit in
 * shell history and the process list): it is read from LYCEUM_OPERATOR_PASSWORD or from stdin.
 * The TOTP otpauth URI is printed once, at creation; it cannot be shown again.
 */
import { parseArgs } from 'node:util'
import { AppError } from '../../../platform/errors.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { OperatorAccounts } from './operator-accounts.ts'

export const OPERATORS_USAGE = `Usage:
  lyceum operators create --email <email> --name "<display name>"
      password from LYCEUM_OPERATOR_PASSWORD or stdin (first line); prints the TOTP otpauth URI once
  lyceum operators disable --email <email>   disable the operator and end its sessions and impersonations
  lyceum operators unlock --email <email>    lift a sign-in lock
`

export interface OperatorsCommandIo {
  /** The new operator's password (LYCEUM_OPERATOR_PASSWORD, else stdin); read only by `create`. */
  readPassword(): Promise<string>
  out(text: string): void
  err(text: string): void
}

/** The first line of a stream (e.g. `printf '%s' "$PW" | lyceum operators create ...`), without its line break. */
export async function firstLine(stream: AsyncIterable<Buffer | string>): Promise<string> {
  let text = ''
  for await (const chunk of stream) {
    text += chunk.toString()
    if (text.includes('\n')) break
  }
  return text.split(/\r?\n/)[0] ?? ''
}

function options(args: string[]): { email?: string; name?: string } {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, name: { type: 'string' } }, strict: true })
  return values
}

/** Runs one sub-command; returns the process exit code (0 done, 1 refused, 2 usage). */
export async function operatorsCommand(
  accounts: OperatorAccounts,
  ctx: RequestContext,
  args: string[],
  io: OperatorsCommandIo,
): Promise<number> {
  const [action, ...rest] = args
  let values: { email?: string; name?: string }
  try {
    values = options(rest)
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${OPERATORS_USAGE}`)
    return 2
  }
  const { email, name } = values
  if (!email || (action === 'create' && !name) || !['create', 'disable', 'unlock'].includes(action ?? '')) {
    io.err(OPERATORS_USAGE)
    return 2
  }
  try {
    if (action === 'create') {
      const password = await io.readPassword()
      if (password === '') {
        io.err('No password: set LYCEUM_OPERATOR_PASSWORD or pipe it on stdin.\n')
        return 1
      }
      const created = await accounts.create(ctx, { email, displayName: name ?? '', password })
      io.out(
        [
          `Operator ${created.email} created (${created.id}).`,
          'Add this TOTP key to an authenticator app now; it is shown only this once:',
          `  ${created.otpauthUri}`,
          'Sign in with POST /v1/operator/sessions {"email","password","code"}.',
          '',
        ].join('\n'),
      )
    } else if (action === 'disable') {
      const { id, endedSessions, endedImpersonations } = await accounts.disable(ctx, email)
      io.out(
        `Operator ${id} disabled; ${endedSessions} session(s) and ${endedImpersonations} impersonation(s) ended.\n`,
      )
    } else {
      const { id } = await accounts.unlock(ctx, email)
      io.out(`Operator ${id} unlocked.\n`)
    }
    return 0
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    io.err(`${error.message}\n`)
    return 1
  }
}
