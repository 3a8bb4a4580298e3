import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/**/*.tables.ts'],
  out: './migrations',
  schemaFilter: [
    'tenancy',
    'flags',
    'platform',
    'identity',
    'catalogue',
    'enrolment',
    'progress',
    'assessment',
    'credentials',
    'commerce',
    'social',
    'community',
    'chat',
    'moderation',
    'gamification',
    'webhooks',
    'assets',
  ],
  entities: { roles: { provider: '', exclude: [], include: [] } },
})
