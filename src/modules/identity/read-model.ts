/**
 * Identity's read-model entry: the users table, for the read models that join it on purpose
 * (ADR 0016) and nothing else. Only the files ADR 0016 names may import this file (the
 * `read-model-entries` rule in .dependency-cruiser.cjs); everything else asks identity's index.ts
 * (user-directory.ts). Joined columns: id, email, display_name.
 */
export { users } from './identity.tables.ts'
