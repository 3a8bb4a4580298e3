/**
 * `RateLimit-Policy` and `RateLimit` as defined by draft-ietf-httpapi-ratelimit-headers-11: both
 * are RFC 8941 structured-field Lists whose items are policy names (sf-strings) with parameters
 * q (quota) and w (window seconds), respectively r (remaining) and t (seconds until reset).
 */

export interface PolicyDescription {
  name: string
  quota: number
  windowSeconds: number
}

export interface BucketStatus {
  policy: string
  remaining: number
  resetSeconds: number
}

/** RFC 8941 §3.3.3 sf-string: printable ASCII only, with backslash and quote escaped. */
export function sfString(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value))
    throw new Error(`not representable as a structured-field string: ${JSON.stringify(value)}`)
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}

export function rateLimitPolicyField(policies: PolicyDescription[]): string {
  return policies.map((p) => `${sfString(p.name)};q=${p.quota};w=${p.windowSeconds}`).join(', ')
}

export function rateLimitField(status: BucketStatus): string {
  return rateLimitFieldOf(sfString(status.policy), status.remaining, status.resetSeconds)
}

/** The same with the policy name already an sf-string (the hook quotes each name once). */
export function rateLimitFieldOf(quotedPolicy: string, remaining: number, resetSeconds: number): string {
  return `${quotedPolicy};r=${remaining};t=${resetSeconds}`
}
