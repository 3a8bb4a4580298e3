/**
 * The notification center's `notify`, as much of it as identity uses (app.ts wires it; identity
 * never imports notifications). Every mail identity sends goes through it: the center renders the
 * type's templates in the recipient's language and tenant branding. Live links (verification,
 * reset, sign-in and invitation tokens) are never parameters: they travel as `secrets.link`,
 * sealed in the stored mail until delivery and never shown in an inbox.
 */
import type { Tx } from '../../platform/db/database.ts'

export type IdentityNotificationType =
  | 'identity.email_verification'
  | 'identity.password_reset'
  | 'identity.magic_link'
  | 'identity.account_exists'
  | 'identity.account_locked'
  | 'identity.mfa_enabled'
  | 'identity.mfa_disabled'
  | 'identity.recovery_codes_regenerated'
  | 'identity.password_changed'
  | 'identity.api_key_issued'
  | 'identity.invitation'
  | 'identity.instructor_application_decided'

export type IdentityNotifier = (
  tx: Tx,
  input: {
    tenantId: string
    type: IdentityNotificationType
    /** The occurrence's id (a token's, an invitation send's): the center sends nothing twice for it. */
    eventId: string
    /** A member, or an address without an account (an invitation), in `locale` or the tenant's. */
    recipient: { userId: string } | { email: string; locale?: string }
    params: Record<string, string | number | boolean>
    secrets?: { link: string }
  },
) => Promise<unknown>
