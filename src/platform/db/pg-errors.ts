/** Reads PostgreSQL error details through Drizzle's wrapping (DrizzleQueryError.cause). */
function pgError(error: unknown): { code?: string; constraint?: string } | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const candidate = current as { code?: unknown; constraint?: unknown; cause?: unknown }
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code))
      return {
        code: candidate.code,
        ...(typeof candidate.constraint === 'string' ? { constraint: candidate.constraint } : {}),
      }
    current = candidate.cause
  }
  return undefined
}

/** The violated unique constraint's name, if the error is a unique violation (23505). */
export function uniqueViolation(error: unknown): string | undefined {
  const details = pgError(error)
  return details?.code === '23505' ? (details.constraint ?? 'unknown') : undefined
}

export function sqlState(error: unknown): string | undefined {
  return pgError(error)?.code
}
