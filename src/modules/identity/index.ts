/**
 * Identity: signing keys and the JWKS, access tokens (and, as issue 3 proceeds, accounts,
 * sessions, two-factor, roles, API keys, impersonation). Owns the `identity` schema.
 * Other modules and app.ts use only what this file exports.
 */
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import type { Database } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { identityEvents } from './identity-events.ts'
import type { SessionCache } from '../../platform/cache/session-cache.ts'
import type { CheckedSession } from './sessions/session-verifier.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { createSigningKeyStore } from './keys/key-store.ts'
import { defineKeyRotationJob } from './keys/keys.jobs.ts'
import { keysRoutes } from './keys/keys.routes.ts'
import { createAccessTokens } from './tokens/access-tokens.ts'
import { createSessions } from './sessions/index.ts'
import { createMembers } from './members/index.ts'
import { createMfa, secondFactorGate } from './mfa/index.ts'
import { createApiKeys } from './api-keys/index.ts'
import { createImpersonation } from './impersonation/index.ts'
import { parseKeyEncryptionKey } from './keys/key-crypto.ts'
import { createOperators } from './operators/index.ts'
import type { IdentityNotifier } from './identity-notifier.ts'
import { createSecurityNotices } from './accounts/security-notices.ts'
import { createPasswordChangeService } from './passwords/password-change.service.ts'
import { passwordRoutes } from './passwords/passwords.routes.ts'
import { configurePasswordHashing } from './passwords/password-hasher.ts'

export {
  activeUser,
  activeUserIdsByEmail,
  findUser,
  isActiveInstructor,
  notificationRecipient,
  timeZoneOf,
  userContacts,
  userStandings,
  type NotificationRecipient,
  type UserContact,
  type UserStanding,
} from './user-directory.ts'
export { ROTATE_SIGNING_KEY } from './keys/keys.jobs.ts'
export { rotateKeysCommand } from './keys/keys.command.ts'
export {
  firstLine,
  operatorsCommand,
  type Operators,
  type CreatedOperator,
  type OperatorSessionTokens,
} from './operators/index.ts'
export type { CheckedSession } from './sessions/session-verifier.ts'
export { createDemoMember, type DemoMemberInput } from './demo-members.ts'
export { registerIdentitySealedColumns } from './keys/sealed-columns.ts'
export { KeyEncryptionKeyMismatchError } from './keys/key-crypto.ts'
export type { SigningKeyStore, RotationResult } from './keys/key-store.ts'
export { refuseWhileImpersonating } from './impersonation/index.ts'
export { createAccountFlows, type AccountFlows } from './account-flows.ts'
export { createInstructorApplications, type InstructorApplications } from './instructor-applications/index.ts'
export {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_LIFETIME_SECONDS,
  type AccessTokens,
  type AccessTokenClaims,
  type Actor,
} from './tokens/access-tokens.ts'
export { identityPublicEvents } from './identity.public-events.ts'
export type { IdentityNotifier, IdentityNotificationType } from './identity-notifier.ts'

export interface IdentityDeps {
  config: Config
  database: Database
  jobs: Jobs
  logger: Logger
  /** Shared counters for sign-in throttling across nodes (memory when absent). */
  redis: Redis | undefined
  /** The notification center's notify: security notices (lockouts, second-factor and password changes). */
  notify: IdentityNotifier
  /** identity.user_disabled, user_enabled and role_changed go out with member management. */
  events: EventPublisher
  /** Checked sessions served from memory between checks (ADR 0018); also tells of signing-key changes. */
  sessionCache?: SessionCache<CheckedSession> | undefined
}

export function createIdentityModule(deps: IdentityDeps) {
  const { config } = deps
  configurePasswordHashing(config.passwordHashing)
  const keys = createSigningKeyStore({
    database: deps.database,
    keyEncryptionKey: config.signingKeys.keyEncryptionKey,
    rotationDays: config.signingKeys.rotationDays,
    overlapHours: config.signingKeys.overlapHours,
    logger: deps.logger,
  })
  defineKeyRotationJob(deps.jobs, { keys, logger: deps.logger })
  const accessTokens = createAccessTokens({
    keys,
    issuer: config.http.publicUrl,
    cacheEntries: config.authCache.maxEntries,
  })
  // A key rotated or retired on any node (signing_keys trigger): reload, and verify every token again.
  deps.sessionCache?.onKeysChanged(() => {
    accessTokens.forgetVerified()
    keys.refresh().catch((error: unknown) => deps.logger.warn({ err: error }, 'signing keys reload failed'))
  })
  const notices = createSecurityNotices({ notify: deps.notify })
  const sessions = createSessions({
    database: deps.database,
    accessTokens,
    secondFactor: secondFactorGate,
    logger: deps.logger,
    redis: deps.redis,
    notices,
    sessionCache: deps.sessionCache,
  })
  const mfa = createMfa({
    database: deps.database,
    keyEncryptionKey: parseKeyEncryptionKey(config.signingKeys.keyEncryptionKey),
    recoveryCodeSecret: config.recoveryCodes.hmacSecret,
    issuer: sessions.issuer,
    reauthenticate: sessions.reauthenticate,
    notices,
  })
  const browserSessions = sessions.browser(mfa.completeLoginWith)
  const operators = createOperators({
    database: deps.database,
    accessTokens,
    keyEncryptionKey: parseKeyEncryptionKey(config.signingKeys.keyEncryptionKey),
    logger: deps.logger,
    redis: deps.redis,
  })
  const apiKeys = createApiKeys({ database: deps.database, reauthenticate: sessions.reauthenticate, notices })
  const impersonation = createImpersonation({ database: deps.database, accessTokens })
  return {
    keys,
    accessTokens,
    /** What the HTTP layer verifies access tokens with: signature and claims, then session, user and current roles (or operator session and status). */
    principalVerifier: operators.checking(sessions.verifier),
    /** Platform operator accounts (CLI, development seed, test harness) and their sign-in routes. */
    operators,
    operatorRoutes: operators.routes,
    sessionRoutes: sessions.routes,
    /** Browser sign-in with a session cookie, and the verifier the HTTP layer resolves that cookie with. */
    browserSessionRoutes: browserSessions.routes,
    browserSessionVerifier: browserSessions.verifier,
    /** Member and role management for tenant administrators. */
    memberRoutes: createMembers({ database: deps.database, events: identityEvents(deps.events) }).routes,
    mfaRoutes: mfa.routes,
    /** POST /v1/me/password: the signed-in user's password change. */
    passwordRoutes: passwordRoutes(createPasswordChangeService({ reauthenticate: sessions.reauthenticate, notices })),
    /** Tenant API keys: management routes, and the verifier the HTTP layer checks `lyk1_…` bearers with. */
    apiKeyRoutes: apiKeys.routes,
    apiKeyVerifier: apiKeys.verifier,
    /** Impersonation by tenant administrators and operators. */
    impersonationRoutes: impersonation.routes,
    /** Audits every request made while impersonating: install on the root instance before any route. */
    registerImpersonationAudit: impersonation.registerRequestAudit,
    /** What the emailed-link flows (account-flows.ts) sign people in with: password and second step, any session kind. */
    signIn: sessions.signIn,
    completeSecondStep: mfa.completeLoginWith,
    /** Before serving: an active signing key exists and KEY_ENCRYPTION_KEY decrypts it (fails loudly otherwise). */
    start: () => keys.ensureActiveKey(),
    routes: keysRoutes(keys),
  }
}

export type IdentityModule = ReturnType<typeof createIdentityModule>
