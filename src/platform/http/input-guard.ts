/**
 * Values no route can store or compare, refused in one place for every route: strings holding
 * the NUL character (PostgreSQL `text` and `jsonb` cannot hold U+0000, so it would surface as a
 * 500 from the driver) and numbers that are not finite (`1e309` is Infinity after JSON.parse,
 * and Ajv's type coercion turns `?limit=1e309` into Infinity without applying `maximum`).
 *
 * It runs as the first preHandler hook, after validation and its coercions, so it sees the
 * values the handler would get; path parameters, the query string and the body (at any depth,
 * object keys included) are checked. The JSON parser (json-body.ts) applies the same check to
 * the parsed document before validation, because Ajv would otherwise coerce a raw `1e309` sent
 * for a string member into the string "Infinity". The answer is the validation problem:
 * 400 VALIDATION_FAILED naming the field path.
 */
import type { FastifyRequest } from 'fastify'
import type { App } from './app-type.ts'
import { AppError, type FieldError } from '../errors.ts'

const NUL = '\u0000'

type Location = 'params' | 'querystring' | 'body'

/** A container still to visit, and how it was reached (the path is spelled out only for a refusal). */
interface Pending {
  value: object
  parent: Pending | undefined
  key: string | number | undefined
}

function pathOf(entry: Pending | undefined, location: string, last?: string | number): string {
  const keys: Array<string | number> = last === undefined ? [] : [last]
  for (let at = entry; at?.key !== undefined; at = at.parent) keys.unshift(at.key)
  return [location, ...keys].join('.')
}

type Issue = 'nul' | 'nulKey' | 'finite'

const MESSAGES: Record<Issue, string> = {
  nul: 'must not contain the NUL character (U+0000)',
  nulKey: 'must not have a property name containing the NUL character (U+0000)',
  finite: 'must be a finite number',
}

function issueAt(path: string, issue: Issue): FieldError {
  return { path, message: MESSAGES[issue], code: issue === 'finite' ? 'finite' : 'nul' }
}

/** Why a scalar cannot be stored, or undefined when it can (or is not a scalar). */
function scalarIssue(value: unknown): 'nul' | 'finite' | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? 'nul' : undefined
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'finite'
  return undefined
}

/** The first value under `root` that cannot be stored, as a field error; undefined when all can. */
export function findUnstorableValue(root: unknown, location: string): FieldError | undefined {
  const rootIssue = scalarIssue(root)
  if (rootIssue) return issueAt(location, rootIssue)
  if (root === null || typeof root !== 'object') return undefined
  // Iterative, so a body at the JSON depth limit cannot exhaust the stack; no path is built
  // unless a value is refused.
  const stack: Pending[] = [{ value: root, parent: undefined, key: undefined }]
  while (stack.length > 0) {
    const entry = stack.pop()!
    const { value } = entry
    const keys = Array.isArray(value) ? undefined : Object.keys(value)
    const count = keys ? keys.length : (value as unknown[]).length
    for (let index = 0; index < count; index++) {
      const key = keys ? keys[index]! : index
      if (keys && (key as string).includes(NUL)) return issueAt(pathOf(entry, location), 'nulKey')
      const child: unknown = (value as Record<string | number, unknown>)[key]
      const issue = scalarIssue(child)
      if (issue) return issueAt(pathOf(entry, location, key), issue)
      if (child !== null && typeof child === 'object') stack.push({ value: child, parent: entry, key })
    }
  }
  return undefined
}

function unstorableInput(request: FastifyRequest): FieldError | undefined {
  const parts: Array<[Location, unknown]> = [
    ['params', request.params],
    ['querystring', request.query],
    ['body', request.body],
  ]
  for (const [location, value] of parts) {
    const issue = findUnstorableValue(value, location)
    if (issue) return issue
  }
  return undefined
}

/** The validation problem for a value no route can take. */
export function unstorableValueError(issue: FieldError): AppError {
  return new AppError('invalid', 'VALIDATION_FAILED', `The request is invalid: ${issue.path} ${issue.message}`, {
    errors: [issue],
  })
}

/**
 * Registers the guard; call before any other preHandler hook (idempotency claims come after it).
 * Global, so no route can miss it; callback-style, since the check is synchronous and a promise
 * per request would cost more than the check on a request without input.
 */
export function registerInputGuard(app: App): void {
  app.addHook('preHandler', (request, _reply, done) => {
    const issue = unstorableInput(request)
    done(issue ? unstorableValueError(issue) : undefined)
  })
}
