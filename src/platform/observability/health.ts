/**
 * Readiness checks. Each capability registers the probe for its own dependency (the database,
 * the job worker, Redis, SMTP, storage); /health/ready and `lyceum doctor` run them all.
 */
import { scrubText } from './redaction.ts'

export type CheckStatus = 'ok' | 'failing' | 'disabled'

export interface CheckResult {
  status: CheckStatus
  /** One line an operator can act on, e.g. "migrations at 3 of 4: run lyceum migrate". */
  detail?: string
}

export type HealthCheck = () => Promise<CheckResult>

export interface CheckOptions {
  /**
   * A critical dependency takes the process out of rotation when it fails (the database). A
   * non-critical one is reported but tolerated because its work is queued and retried (SMTP).
   */
  critical?: boolean
}

export type CheckReport = CheckResult & { durationMs: number; critical: boolean }

export interface HealthRegistry {
  register(name: string, check: HealthCheck, options?: CheckOptions): void
  /** Runs every check with a timeout; a throwing or slow check is reported as failing. */
  run(timeoutMs?: number): Promise<Record<string, CheckReport>>
}

export function createHealthRegistry(): HealthRegistry {
  const checks = new Map<string, { check: HealthCheck; critical: boolean }>()
  return {
    register(name, check, options = {}) {
      if (checks.has(name)) throw new Error(`health check ${name} registered twice`)
      checks.set(name, { check, critical: options.critical ?? true })
    },
    async run(timeoutMs = 3_000) {
      const entries = await Promise.all(
        [...checks].map(async ([name, { check, critical }]) => {
          const started = performance.now()
          let timer: NodeJS.Timeout | undefined
          const timeout = new Promise<CheckResult>((resolve) => {
            timer = setTimeout(
              () => resolve({ status: 'failing', detail: `no answer within ${timeoutMs} ms` }),
              timeoutMs,
            )
          })
          const result = await Promise.race([
            check().catch((error: unknown): CheckResult => ({
              status: 'failing',
              detail: scrubText(error instanceof Error ? error.message : String(error)),
            })),
            timeout,
          ])
          clearTimeout(timer)
          return [name, { ...result, durationMs: Math.round(performance.now() - started), critical }] as const
        }),
      )
      return Object.fromEntries(entries)
    },
  }
}
