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

export function registerJsonParser(app: App, maxDepth: number): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (error: Error | null, parsed?: unknown) => {
      if (error) return done(new AppError('invalid', 'MALFORMED_JSON', `The request body is not valid JSON: ${error.message}`), undefined)
      if (jsonDepthExceeds(parsed, maxDepth))
        return done(new AppError('invalid', 'JSON_TOO_DEEP', `The request body nests deeper than ${maxDepth} levels`), undefined)
      done(null, parsed)
    })
  })
}
