/** Instructor applications: apply, review, approve or reject (composed by ../index.ts). */
import { applicationsRoutes } from './instructor-applications.routes.ts'
import { createApplicationsService, type ApplicationsDeps } from './instructor-applications.service.ts'

export function createInstructorApplications(deps: ApplicationsDeps) {
  return { routes: applicationsRoutes(createApplicationsService(deps)) }
}

export type InstructorApplications = ReturnType<typeof createInstructorApplications>
