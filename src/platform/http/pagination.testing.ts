/**
 * Test support: cursors as a client can forge them. A cursor is base64url of JSON
 * (src/platform/http/pagination.ts), so anything can be sent back in one.
 */

/** The cursor carrying `position` as JSON. */
export const forgedCursor = (position: unknown): string => Buffer.from(JSON.stringify(position)).toString('base64url')

/** The cursor carrying `json` as written (JSON that JSON.stringify cannot produce, e.g. `[1e309]`). */
export const forgedCursorText = (json: string): string => Buffer.from(json).toString('base64url')

/** What a cursor carries (for tests that take a real cursor apart). */
export const cursorContent = (cursor: string): unknown => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
