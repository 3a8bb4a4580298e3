/**
 * The typical stack's catalogue list, as issue 10 measures it: Express 5 + Sequelize 6 `findAll`
 * on catalogue_entries with `tenant_id = ?`, newest first, one more row than the page for the
 * cursor, answering the same body as the app. It logs in as the owner (a superuser on the bench
 * database, so no row-level security) and has no authentication, validation or tenant
 * transaction: what a team would write without Lyceum's guarantees.
 *
 * Express and Sequelize are devDependencies for this reference only: DESIGN.md's ban on Express
 * is about the app, which never imports this file (scripts/bench is not shipped).
 */
import type { AddressInfo } from 'node:net'
import express from 'express'
import { DataTypes, Sequelize } from 'sequelize'
import type { ReferenceTarget } from './scenario.ts'

const LIMIT = 20

export const expressSequelizeReference: ReferenceTarget = {
  name: 'express',
  async start(scenario, context) {
    const sequelize = new Sequelize(context.ownerUrl, {
      dialect: 'postgres',
      logging: false,
      pool: { max: context.poolMax, min: 0, idle: 10_000 },
    })
    const Entry = sequelize.define(
      'CatalogueEntry',
      {
        courseId: { type: DataTypes.UUID, primaryKey: true, field: 'course_id' },
        tenantId: { type: DataTypes.UUID, field: 'tenant_id' },
        slug: DataTypes.TEXT,
        title: DataTypes.TEXT,
        summary: DataTypes.TEXT,
        level: DataTypes.TEXT,
        language: DataTypes.TEXT,
        category: DataTypes.TEXT,
        tags: DataTypes.JSONB,
        instructorIds: { type: DataTypes.JSONB, field: 'instructor_ids' },
        coverImageRef: { type: DataTypes.TEXT, field: 'cover_image_ref' },
        delivery: DataTypes.TEXT,
        free: DataTypes.BOOLEAN,
        lessonCount: { type: DataTypes.INTEGER, field: 'lesson_count' },
        durationMinutes: { type: DataTypes.INTEGER, field: 'duration_minutes' },
        publishedAt: { type: DataTypes.DATE, field: 'published_at' },
      },
      { schema: 'catalogue', tableName: 'catalogue_entries', timestamps: false },
    )
    const app = express()
    app.get(`/express/${scenario.name}`, async (_request, response) => {
      const rows = await Entry.findAll({
        where: { tenantId: context.tenants.target },
        order: [
          ['publishedAt', 'DESC'],
          ['courseId', 'DESC'],
        ],
        limit: LIMIT + 1,
        raw: true,
      })
      const cards = rows.map((row) => {
        const { courseId, tenantId: _tenant, publishedAt, ...rest } = row as unknown as Record<string, unknown>
        return { id: courseId, ...rest, publishedAt: (publishedAt as Date).toISOString() }
      })
      // A typical opaque cursor: the last row's sort key (Sequelize's Date keeps milliseconds only,
      // so the app's microsecond cursor format cannot be reproduced from it).
      const last = cards.length > LIMIT ? cards[LIMIT - 1] : undefined
      response.json({
        data: cards.slice(0, LIMIT),
        nextCursor: last ? Buffer.from(JSON.stringify([last.publishedAt, last.id])).toString('base64url') : null,
      })
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject))
    const { port } = server.address() as AddressInfo
    return {
      url: `http://127.0.0.1:${port}/express/${scenario.name}`,
      async close() {
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await sequelize.close()
      },
    }
  },
}
