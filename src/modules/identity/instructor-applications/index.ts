/** Instructor applications: apply, review, approve or reject (composed by ../index.ts). */
import type { Config } from '../../../config.ts'
import type { Mailer } from '../../../platform/mail/index.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import { identityEvents } from '../identity-events.ts'
import { siteOptionsOf } from '../pages/page-links.ts'
import { applicationsRoutes } from './instructor-applications.routes.ts'
import { createApplicationsService } from './instructor-applications.service.ts'

export function createInstructorApplications(deps: { mailer: Mailer; config: Config; events: EventPublisher }) {
  const service = createApplicationsService({
    mailer: deps.mailer,
    site: siteOptionsOf(deps.config),
    events: identityEvents(deps.events),
  })
  return { routes: applicationsRoutes(service) }
}

export type InstructorApplications = ReturnType<typeof createInstructorApplications>
