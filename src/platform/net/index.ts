/**
 * Outbound network access to URLs that tenants supply: the SSRF-guarded HTTP client (ADR 0033).
 * Modules receive the platform's one `Egress` from app.ts; none opens its own sockets to partner URLs.
 */
export {
  createEgress,
  egressPolicyFor,
  DEFAULT_EGRESS_MAX_RESPONSE_BYTES,
  DEFAULT_EGRESS_TIMEOUT_MS,
  EgressFailedError,
  EgressRefusedError,
  type Egress,
  type EgressPolicy,
  type EgressRequest,
  type EgressResponse,
  type ResolvedAddress,
} from './egress.ts'
export type { EgressFailureReason, EgressRefusalReason } from './egress-errors.ts'
export { judgeAddress, type AddressKind, type AddressVerdict } from './address-policy.ts'
