/** What `serve` and `seed` print about the demo tenant: its content and the development sign-ins. */
import { DEV_OPERATOR_EMAIL, type SeededPerson } from './accounts.ts'
import type { DemoSeed } from './index.ts'

/** One line per seed area: what it added (with where to browse it) or why it is missing. */
export function describeDemoContent(seed: DemoSeed, siteBase: string): string[] {
  return seed.areas.map((area) => {
    switch (area.outcome) {
      case 'seeded':
      case 'present':
        return `  Demo ${area.name}: ${area.summary}: ${siteBase}${area.browse ?? '/v1/catalogue/courses'}`
      case 'skipped':
        return `  Demo ${area.name} not seeded: ${area.detail}.`
      case 'failed':
        return `  Demo ${area.name} could not be seeded (${area.detail}); the next start tries again.`
    }
  })
}

const json = (value: object) => JSON.stringify(value)

/** Who the demo accounts are and the exact calls that sign them in. */
export function describeDevAccounts(seed: DemoSeed, base: string): string[] {
  const { accounts } = seed
  if (!accounts) return []
  const { credentials, file } = accounts
  const { admin, operator } = credentials
  const lines = [`  Development sign-ins (development profile only; kept in ${file}):`]
  if (admin)
    lines.push(
      `  Demo tenant admin  ${admin.email}  password ${admin.password}`,
      `    curl -H 'Host: demo.localhost' -H 'Content-Type: application/json' -d '${json({ email: admin.email, password: admin.password })}' ${base}/v1/auth/login`,
    )
  if (operator)
    lines.push(
      `  Platform operator  ${operator.email}  password ${operator.password}  TOTP secret ${operator.totpSecret}`,
      `    CODE=$(node -e "import('otplib').then(async (o) => console.log(await o.generate({ secret: '${operator.totpSecret}' })))")`,
      `    curl -H 'Content-Type: application/json' -d '{"email":"${operator.email}","password":"${operator.password}","code":"'$CODE'"}' ${base}/v1/operator/sessions`,
    )
  const people = [...accounts.people.values()].filter((p): p is SeededPerson & { password: string } => !!p.password)
  for (const person of people)
    lines.push(
      `  ${(person.roles.includes('instructor') ? 'Instructor' : 'Learner').padEnd(17)}  ${person.email}  password ${person.password}  (${person.about})`,
    )
  if (people.length > 0) lines.push('    They sign in like the admin: POST /v1/auth/login with Host demo.localhost.')
  if (accounts.unknown.length > 0)
    lines.push(
      `  These accounts exist, but their credentials are not in ${file}: ${accounts.unknown.join(', ')}.`,
      ...(accounts.unknown.includes(DEV_OPERATOR_EMAIL)
        ? [
            '  Create an operator with: npx lyceum operators create --email you@example.com --name "You"  (stop the server first on the embedded database)',
          ]
        : []),
    )
  return lines
}
