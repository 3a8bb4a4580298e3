/**
 * The bounds that keep one client from costing the server without limit (docs/realtime.md,
 * "Limits"): message size, event rate, connections per user and the outgoing queue of a slow
 * reader. Tests shrink them through BuildOptions.realtime.
 */
export interface RealtimeLimits {
  /** Largest message a client may send (engine.io closes the connection beyond it). */
  maxMessageBytes: number
  /** Token bucket per connection: burst size and refill per second. */
  eventBurst: number
  eventsPerSecond: number
  /** Refused events within `abuseWindowMs` after which the connection is closed. */
  maxRefusedEvents: number
  abuseWindowMs: number
  /** Live connections per user across every node. */
  maxConnectionsPerUser: number
  /** Packets waiting for a client that does not read; beyond it the connection is dropped. */
  maxQueuedPackets: number
  /** A connection counts as present this long after its last heartbeat. */
  presenceTtlMs: number
  /** How often each connection's session is checked again, besides revocation notices. */
  sessionCheckMs: number
  /** One typing broadcast per connection and room per this interval. */
  typingIntervalMs: number
  /** Longest user list of one presence.query. */
  maxPresenceQuery: number
  /** Rooms one connection may be in at once (its user room included). */
  maxRoomsPerConnection: number
}

export const DEFAULT_LIMITS: RealtimeLimits = {
  maxMessageBytes: 16 * 1024,
  eventBurst: 20,
  eventsPerSecond: 10,
  maxRefusedEvents: 50,
  abuseWindowMs: 10_000,
  maxConnectionsPerUser: 10,
  maxQueuedPackets: 1_000,
  presenceTtlMs: 60_000,
  sessionCheckMs: 60_000,
  typingIntervalMs: 2_000,
  maxPresenceQuery: 100,
  maxRoomsPerConnection: 200,
}

/** Token bucket (refilled continuously) plus a count of recent refusals, per connection. */
export class EventBudget {
  private tokens: number
  private last: number
  private refused: number[] = []

  constructor(
    private readonly limits: RealtimeLimits,
    now = Date.now(),
  ) {
    this.tokens = limits.eventBurst
    this.last = now
  }

  /** Takes one token; false when the bucket is empty. */
  take(now = Date.now()): boolean {
    const { eventBurst, eventsPerSecond } = this.limits
    this.tokens = Math.min(eventBurst, this.tokens + (Math.max(0, now - this.last) / 1000) * eventsPerSecond)
    this.last = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  /** Records a refused event; true when refusals within the window say the client is abusive. */
  refuse(now = Date.now()): boolean {
    const since = now - this.limits.abuseWindowMs
    this.refused = this.refused.filter((at) => at > since)
    this.refused.push(now)
    return this.refused.length >= this.limits.maxRefusedEvents
  }

  /** Seconds until one token is back (Retry-After of the refusal). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((1 - this.tokens) / this.limits.eventsPerSecond))
  }
}
