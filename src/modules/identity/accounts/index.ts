/** Accounts: sign-up, email verification and its resend (composed by ../index.ts). */
import { accountsRoutes } from './accounts.routes.ts'
import { createAccountsService, type AccountsDeps } from './accounts.service.ts'

export function createAccounts(deps: AccountsDeps) {
  const service = createAccountsService(deps)
  return { routes: accountsRoutes(service) }
}

export type Accounts = ReturnType<typeof createAccounts>
