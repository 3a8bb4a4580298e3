/**
 * The interactive reference works in a real browser: Debian's Chromium, driven by playwright-core,
 * opens /docs on a tenant's host of a running server, executes the anonymous catalogue list (200,
 * the request went to the page's own origin, so no CORS and no TENANT_REQUIRED), then authorizes
 * with a member's bearer token and executes GET /v1/me (200). The page must load without console
 * errors (a Content-Security-Policy violation would show there).
 * Without /usr/bin/chromium the test fails under CI (CI installs it) and is skipped, loudly, elsewhere.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from './build-test-app.ts'

const CHROMIUM = '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
const inCi = Boolean(process.env.CI)
if (!available && !inCi)
  console.warn(
    `\n${'!'.repeat(78)}\n!! try-it-out.browser.test.ts SKIPPED: ${CHROMIUM} is missing.\n` +
      `!! Install it with: apt-get install -y --no-install-recommends chromium (CI fails without it)\n${'!'.repeat(78)}\n`,
  )

let t: TestApp
let browser: BrowserContext
let profile: string
let origin: string
let memberToken: string
const consoleErrors: string[] = []

describe.skipIf(!available && !inCi)('try-it-out on a tenant host, in Chromium', () => {
  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)`)
    t = await buildTestApp()
    const tenant = await t.createTenant()
    memberToken = await t.tokenFor(tenant.id, ['learner'])
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 })
    origin = `http://${tenant.slug}.localhost:${new URL(address).port}`
    profile = await mkdtemp(join(tmpdir(), 'lyceum-chromium-'))
    // A fresh profile (--user-data-dir), which Playwright takes as the persistent context's directory.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Tenant hosts are {slug}.localhost: pin them to the IPv4 loopback the server listens on.
        '--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP localhost 127.0.0.1',
      ],
    })
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await t?.close()
    if (profile) await rm(profile, { recursive: true, force: true })
  })

  /**
   * Opens an operation by its deep link (/docs#/{tag}/{operationId}: Swagger UI renders only the
   * operations near the viewport, so scrolling to one is a race with its rendering), executes it
   * as Swagger UI does, and returns the status it shows. Authorization persists across loads.
   */
  async function execute(page: Page, tag: string, operationId: string): Promise<{ status: string; url: string }> {
    await page.goto('about:blank')
    const loaded = await page.goto(`${origin}/docs#/${tag}/${operationId}`)
    expect(loaded?.status()).toBe(200)
    const block = page.locator(`.opblock[id$="-${operationId}"]`).first()
    await block.waitFor({ timeout: 60_000 })
    if (!(await block.evaluate((element) => element.classList.contains('is-open'))))
      await block.locator('.opblock-summary').first().click()
    const tryItOut = block.locator('button.try-out__btn')
    if ((await tryItOut.count()) > 0 && (await tryItOut.innerText()).trim() === 'Try it out') await tryItOut.click()
    await block.locator('button.execute').click()
    const status = block.locator('.live-responses-table .response .response-col_status').first()
    await status.waitFor({ timeout: 60_000 })
    const url = await block.locator('.request-url pre, .request-url .microlight').first().innerText()
    return { status: (await status.innerText()).trim(), url: url.trim() }
  }

  it('executes the anonymous catalogue list and, after Authorize, GET /v1/me on the page’s own origin', async () => {
    const page = await browser.newPage()
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    page.on('pageerror', (error) => consoleErrors.push(error.message))
    const response = await page.goto(`${origin}/docs`)
    expect(response?.status()).toBe(200)
    await page.locator('.opblock').first().waitFor({ timeout: 60_000 })

    const catalogue = await execute(page, 'catalogue', 'listCatalogueCourses')
    expect(catalogue.url).toMatch(new RegExp(`^${origin.replaceAll('.', '\\.')}/v1/catalogue/courses(\\?|$)`))
    expect(catalogue.status).toBe('200')

    await page.locator('.auth-wrapper button.authorize').click()
    const dialog = page.locator('.dialog-ux .modal-ux')
    await dialog.locator('input[type="text"], input[type="password"]').first().fill(memberToken)
    await dialog.locator('button.authorize').first().click()
    await dialog.locator('button.btn-done').first().click()

    const me = await execute(page, 'identity', 'getMe')
    expect(me.url).toBe(`${origin}/v1/me`)
    expect(me.status).toBe('200')
    expect(consoleErrors).toEqual([])
  }, 180_000)
})
