/**
 * Runs before each test file. Tests never export traces and never log unless a test captures
 * logs itself. On PostgreSQL each file gets its own copy of the migrated template database:
 * job workers of different files must not take each other's jobs.
 */
import { randomBytes } from 'node:crypto'
import { inject } from 'vitest'
import { postgresOwner } from '../src/platform/db/owner-connection.ts'

process.env.LYCEUM_PROFILE = 'test'
process.env.OTEL_SDK_DISABLED = 'true'
// Apps of one file share Redis keys (two nodes, one quota); files never do.
process.env.LYCEUM_TEST_REDIS_PREFIX = `lyceum-test-${randomBytes(6).toString('hex')}:`

const template = inject('databaseUrl')
if (template) {
  const url = new URL(template)
  const templateName = url.pathname.slice(1)
  const copy = `${templateName}_f${randomBytes(4).toString('hex')}`
  const server = new URL(template)
  server.pathname = '/postgres'
  const admin = await postgresOwner(server.toString())
  try {
    await admin.exec(`CREATE DATABASE ${copy} TEMPLATE ${templateName}`)
  } finally {
    await admin.close()
  }
  url.pathname = `/${copy}`
  process.env.LYCEUM_TEST_DATABASE_URL = url.toString()
} else {
  delete process.env.LYCEUM_TEST_DATABASE_URL
}
