/**
 * The one spelling of an id the API accepts: a uuid as PostgreSQL writes it, lower-case hex in
 * 8-4-4-4-12 groups. Ajv's `uuid` format (ajv-formats) also accepts upper case and a `urn:uuid:`
 * prefix, TypeBox's upper case; PostgreSQL reads every spelling as the same id. Rules that compare
 * ids as strings (self-action refusals, policy decisions looked up by id, one conversation per
 * pair) would then see two people where there is one: the security review of issue 12 reached a
 * member whose DM permission is `nobody` by writing their id in upper case. So both validators
 * are given this format (server.ts for HTTP, the realtime registry for socket events), and a
 * differently spelled id is a 400 like any other malformed one.
 */
export const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export const isCanonicalUuid = (value: string): boolean => CANONICAL_UUID.test(value)
