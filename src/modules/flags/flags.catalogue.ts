/**
 * Every feature flag, declared in code with its default. Defaults describe a cold environment:
 * each capability that ships is on, so nothing has to be switched on by hand. A flag exists
 * only for a capability that exists; its key is `<module>.<capability>`.
 */
export interface FlagDefinition {
  description: string
  /** Value for every tenant without an override. */
  defaultEnabled: boolean
  /** Whether client apps may read it from the evaluation endpoint. */
  exposed: boolean
}

export const FLAG_CATALOGUE = {
  'tenancy.custom_domains': {
    description: 'Serve the tenant on its registered custom domains; its subdomain keeps working either way.',
    defaultEnabled: true,
    exposed: false,
  },
  'tenancy.public_site': {
    description: 'Let anonymous visitors read the public facts of the tenant (GET /v1/site).',
    defaultEnabled: true,
    exposed: true,
  },
} as const satisfies Record<string, FlagDefinition>

export type FlagKey = keyof typeof FLAG_CATALOGUE

/** Keys in a stable order (the list endpoint pages by key). */
export const FLAG_KEYS = (Object.keys(FLAG_CATALOGUE) as FlagKey[]).sort()

export const EXPOSED_FLAG_KEYS = FLAG_KEYS.filter((key) => FLAG_CATALOGUE[key].exposed)

export const isFlagKey = (key: string): key is FlagKey => Object.hasOwn(FLAG_CATALOGUE, key)
