/**
 * JSON body parsing with a nesting limit: deeply nested input is a cheap way to burn CPU in
 * validators and serializers, so it is refused before any handler sees it.
 */
import type { App } from './app-type.ts'
import { AppError } from '../errors.ts'

export function jsonDepthExceeds(value: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!
    if (current === null || typeof current !== 'object') continue
    if (depth > maxDepth) return true
    for (const child of Object.values(current)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
  }
  return false
}

/** V8 quotes the start of the input in some messages (`Unexpected token 'p', "password=..." is not valid JSON`); a problem document must not echo the body. */
function withoutInputEcho(message: string): string {
  return message.replace(/, ".*"(?:\.\.\.)? is not valid JSON$/s, '')
}

export function registerJsonParser(app: App, maxDepth: number): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  // Only JSON is accepted: dropping the text/plain parser turns such bodies into 415, not a confusing 400.
  app.removeContentTypeParser(['application/json', 'text/plain'])
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (error: Error | null, parsed?: unknown) => {
      if (error) return done(new AppError('invalid', 'MALFORMED_JSON', `The request body is not valid JSON: ${withoutInputEcho(error.message)}`), undefined)
      if (jsonDepthExceeds(parsed, maxDepth))
        return done(new AppError('invalid', 'JSON_TOO_DEEP', `The request body nests deeper than ${maxDepth} levels`), undefined)
      done(null, parsed)
    })
  })
}
