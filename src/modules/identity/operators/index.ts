/** Platform operator accounts: CLI-created, password + TOTP sign-in, session-checked tokens (composed by ../index.ts). */
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Database } from '../../../platform/db/database.ts'
import type { AccessTokenVerifier } from '../../../platform/http/principal.ts'
import { createLoginIpThrottle } from '../sessions/login-ip-throttle.ts'
import type { AccessTokens } from '../tokens/access-tokens.ts'
import { createOperatorAccounts } from './operator-accounts.ts'
import { createOperatorCheckingVerifier } from './operator-verifier.ts'
import { operatorsRoutes } from './operators.routes.ts'
import { createOperatorsService } from './operators.service.ts'

export { firstLine, operatorsCommand } from './operators.command.ts'
export type { OperatorAccounts, CreatedOperator, NewOperator } from './operator-accounts.ts'
export type { OperatorsService, OperatorSessionTokens } from './operators.service.ts'

export interface OperatorsDeps {
  database: Database
  accessTokens: AccessTokens
  keyEncryptionKey: Uint8Array
  logger: Logger
  redis: Redis | undefined
}

export function createOperators(deps: OperatorsDeps) {
  const service = createOperatorsService({ ...deps, ipThrottle: createLoginIpThrottle(deps.redis) })
  return {
    /** Create, disable, unlock (the CLI, the development seed and test harnesses). */
    accounts: createOperatorAccounts(deps),
    service,
    routes: operatorsRoutes(service),
    /** Wraps a verifier so operator tokens also need a live session and an active operator. */
    checking: (inner: AccessTokenVerifier) =>
      createOperatorCheckingVerifier({ accessTokens: inner, database: deps.database }),
  }
}

export type Operators = ReturnType<typeof createOperators>
