/** Instructor applications: apply, review, approve or reject (composed by ../index.ts). */
import type { Config } from '../../../config.ts'
import type { Mailer } from '../../../platform/mail/index.ts'
import { siteOptionsOf } from '../pages/page-links.ts'
import { applicationsRoutes } from './instructor-applications.routes.ts'
import { createApplicationsService } from './instructor-applications.service.ts'

export function createInstructorApplications(deps: { mailer: Mailer; config: Config }) {
  return {
    routes: applicationsRoutes(createApplicationsService({ mailer: deps.mailer, site: siteOptionsOf(deps.config) })),
  }
}

export type InstructorApplications = ReturnType<typeof createInstructorApplications>
