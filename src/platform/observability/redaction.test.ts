import { DrizzleQueryError } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { REDACTED, isSensitiveKey, redactValue, scrubPath, scrubText, serializeError } from './redaction.ts'

describe('scrubText', () => {
  it('removes credentials from URLs, query strings and bearer values', () => {
    expect(scrubText('connect postgres://lyceum:s3cr3t-pw@db.internal:5432/app')).toBe(
      `connect postgres://lyceum:${REDACTED}@db.internal:5432/app`,
    )
    expect(scrubText('GET /verify?token=abc123&next=/home')).toBe(`GET /verify?token=${REDACTED}&next=/home`)
    expect(scrubText('sent Bearer abcdefgh12345')).toBe(`sent Bearer ${REDACTED}`)
    expect(scrubText('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl end')).toBe(`token ${REDACTED} end`)
  })

  it('removes personal data: email addresses, international phone numbers, card numbers', () => {
    expect(scrubText('welcome ada.l+1@example.org')).toBe(`welcome ${REDACTED}`)
    expect(scrubText('call +1 (555) 010-9999 now')).toBe(`call ${REDACTED} now`)
    expect(scrubText('card 4242-4242-4242-4242 declined')).toBe(`card ${REDACTED} declined`)
  })

  it('keeps digit runs that cannot be card numbers, such as ids and timestamps', () => {
    expect(scrubText('order 1234567890123456 at 1795634450123')).toBe('order 1234567890123456 at 1795634450123')
  })

  it('removes bound values from Drizzle and PostgreSQL messages', () => {
    expect(scrubText('Failed query: insert into t values ($1)\nparams: a@b.test,pw')).toBe(
      `Failed query: insert into t values ($1)\nparams: ${REDACTED}`,
    )
    expect(scrubText('Key (slug, name)=(acme, Acme Ltd) already exists.')).toBe(
      `Key (slug, name)=(${REDACTED}) already exists.`,
    )
  })
})

describe('scrubPath', () => {
  it('removes the calendar feed token from the path (the URL is the credential)', () => {
    const token = 'q3Zb8kV1m0xYpT4rL9sN2wC7hJ5dF6gA1eR8tU3iO0p'
    expect(scrubPath(`/v1/calendar/${token}.ics`)).toBe(`/v1/calendar/${REDACTED}`)
    expect(scrubPath(`/v1/calendar/${token}`)).toBe(`/v1/calendar/${REDACTED}`)
    // Other paths keep their ids, still scrubbed as text.
    expect(scrubPath('/v1/communities/0b9d5e0e-1f0a-4c4e-9a55-6d1f1c1f1f1f/calendar.ics')).toBe(
      '/v1/communities/0b9d5e0e-1f0a-4c4e-9a55-6d1f1c1f1f1f/calendar.ics',
    )
    expect(scrubPath('/v1/users/by-email/ada@example.org')).toBe(`/v1/users/by-email/${REDACTED}`)
  })
})

describe('redactValue', () => {
  it('redacts sensitive keys at any depth and by fragment', () => {
    const value = { a: { b: { c: { d: { userEmail: 'x', passwordHash: 'y', 'x-api-key': 'z', tenantId: 't1' } } } } }
    expect(redactValue(value)).toEqual({
      a: { b: { c: { d: { userEmail: REDACTED, passwordHash: REDACTED, 'x-api-key': REDACTED, tenantId: 't1' } } } },
    })
    expect(isSensitiveKey('company')).toBe(false)
    expect(isSensitiveKey('span')).toBe(false)
  })

  it('leaves objects with their own serializers alone and does not mutate its input', () => {
    const request = new (class FakeRequest {
      id = 'r1'
    })()
    const input = { req: request, nested: { token: 'secret-value' } }
    const output = redactValue(input) as typeof input
    expect(output.req).toBe(request)
    expect(input.nested.token).toBe('secret-value')
  })
})

describe('serializeError', () => {
  it('keeps the SQLSTATE and cause chain while dropping bound parameters', () => {
    const cause = Object.assign(new Error('duplicate key value'), {
      code: '23505',
      detail: 'Key (email)=(a@b.test) already exists.',
    })
    const error = new DrizzleQueryError('insert into users (email) values ($1)', ['a@b.test'], cause)
    const serialized = serializeError(error) as Record<string, unknown>
    expect(serialized.type).toBe('DrizzleQueryError')
    expect(serialized.params).toBe(REDACTED)
    expect(serialized.message).toBe(`Failed query: insert into users (email) values ($1)\nparams: ${REDACTED}`)
    expect(serialized.cause).toMatchObject({ code: '23505', detail: `Key (email)=(${REDACTED}) already exists.` })
    expect(JSON.stringify(serialized)).not.toContain('a@b.test')
  })
})
