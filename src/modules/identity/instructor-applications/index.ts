/** Instructor applications: apply, review, approve or reject (composed by ../index.ts). */
import type { EventPublisher } from '../../../platform/events/events.ts'
import { identityEvents } from '../identity-events.ts'
import type { IdentityNotifier } from '../identity-notifier.ts'
import { applicationsRoutes } from './instructor-applications.routes.ts'
import { createApplicationsService } from './instructor-applications.service.ts'

export function createInstructorApplications(deps: { notify: IdentityNotifier; events: EventPublisher }) {
  const service = createApplicationsService({ notify: deps.notify, events: identityEvents(deps.events) })
  return { routes: applicationsRoutes(service) }
}

export type InstructorApplications = ReturnType<typeof createInstructorApplications>
