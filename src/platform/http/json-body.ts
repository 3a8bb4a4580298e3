/**
 * JSON body parsing with a nesting limit: deeply nested input is a cheap way to burn CPU in
 * validators and serializers, so it is refused before any handler sees it. Values no route can
 * store (NUL characters, non-finite numbers such as `1e309`) are refused here too (input-guard.ts).
 */
import type { App } from './app-type.ts'
import { AppError } from '../errors.ts'
import { findUnstorableValue, unstorableValueError } from './input-guard.ts'

export function jsonDepthExceeds(value: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!
    if (current === null || typeof current !== 'object') continue
    if (depth > maxDepth) return true
    for (const child of Object.values(current))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
  }
  return false
}

/** V8 quotes the start of the input in some messages (`Unexpected token 'p', "password=..." is not valid JSON`); a problem document must not echo the body. */
function withoutInputEcho(message: string): string {
  return message.replace(/, ".*"(?:\.\.\.)? is not valid JSON$/s, '')
}

export function registerJsonParser(app: App, maxDepth: number): void {
  acceptBareBodies(app)
  const parse = app.getDefaultJsonParser('error', 'error')
  // Only JSON is accepted: dropping the text/plain parser turns such bodies into 415, not a confusing 400.
  app.removeContentTypeParser(['application/json', 'text/plain'])
  app.addContentTypeParser(
    ['application/json', 'application/merge-patch+json'],
    { parseAs: 'string' },
    (request, body, done) => {
      parse(request, body as string, (error: (Error & { code?: string }) | null, parsed?: unknown) => {
        // An empty body has its own code (EMPTY_BODY, error-handler.ts): nothing is malformed in it.
        if (error?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return done(error, undefined)
        if (error)
          return done(
            new AppError(
              'invalid',
              'MALFORMED_JSON',
              `The request body is not valid JSON: ${withoutInputEcho(error.message)}`,
            ),
            undefined,
          )
        if (jsonDepthExceeds(parsed, maxDepth))
          return done(
            new AppError('invalid', 'JSON_TOO_DEEP', `The request body nests deeper than ${maxDepth} levels`),
            undefined,
          )
        const unstorable = findUnstorableValue(parsed, 'body')
        if (unstorable) return done(unstorableValueError(unstorable), undefined)
        done(null, parsed)
      })
    },
  )
}

/** Sets a missing body to `{}` before validation. */
async function emptyBodyAsObject(request: { body: unknown }): Promise<void> {
  request.body ??= {}
}

/** An object schema that `{}` satisfies: no required property and no minimum property count. */
export function onlyOptionalFields(schema: unknown): boolean {
  if (!schema || typeof schema !== 'object') return false
  const { type, required, minProperties } = schema as { type?: unknown; required?: unknown; minProperties?: unknown }
  return (
    type === 'object' &&
    (!Array.isArray(required) || required.length === 0) &&
    (typeof minProperties !== 'number' || minProperties === 0)
  )
}

/**
 * A route whose body holds only optional fields (a comment, a note, a client timestamp) accepts
 * a bare POST without a body, read as `{}`, instead of answering 400 "body must be object":
 * clients should not have to send `{}` to say nothing. Routes with a required field still need
 * their body. Call before the routes are registered (onRoute sees only later routes).
 */
export function acceptBareBodies(app: App): void {
  app.addHook('onRoute', (route) => {
    if (!onlyOptionalFields(route.schema?.body)) return
    const existing = route.preValidation === undefined ? [] : [route.preValidation].flat()
    route.preValidation = [emptyBodyAsObject, ...existing]
  })
}
