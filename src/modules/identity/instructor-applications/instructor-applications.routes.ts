import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../../platform/http/etag.ts'
import { Page, PageQuery } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import {
  ApplicationParams,
  ApplicationQuery,
  ApproveApplicationBody,
  InstructorApplication,
  RejectApplicationBody,
  SubmitApplicationBody,
} from './instructor-applications.schemas.ts'
import type { ApplicationsService } from './instructor-applications.service.ts'

const tags = ['identity']
const BASE = '/v1/instructor-applications'
const DECISION_RULES =
  'Needs If-Match with the current ETag (428 without, 412 when stale). Only pending applications are decided (409 APPLICATION_NOT_PENDING); nobody decides their own (403 SELF_REVIEW); refused while impersonating (403 IMPERSONATION_FORBIDDEN). The applicant is emailed the decision.'

type Ref = ReturnType<typeof Type.Ref>

/** Any member: apply, read and withdraw their own applications. */
function applicantRoutes(
  app: App,
  service: ApplicationsService,
  ApplicationRef: Ref,
  ApplicationPage: ReturnType<typeof Page>,
) {
  app.post(
    BASE,
    {
      schema: {
        summary: 'Apply to become an instructor',
        description:
          'Any member may apply once at a time (409 APPLICATION_PENDING while one is pending; 409 ALREADY_INSTRUCTOR for instructors).',
        tags,
        operationId: 'submitInstructorApplication',
        body: SubmitApplicationBody,
        response: { 201: ApplicationRef },
      },
      config: { access: tenantAccess() },
    },
    async (request, reply) => {
      const application = await service.submit(request.ctx, request.body)
      setEtag(reply, application.version)
      return reply.status(201).header('location', `${BASE}/${application.id}`).send(application)
    },
  )

  app.get(
    '/v1/me/instructor-applications',
    {
      schema: {
        summary: 'Your instructor applications, newest first',
        tags,
        operationId: 'listMyInstructorApplications',
        querystring: PageQuery,
        response: { 200: ApplicationPage },
      },
      config: { access: tenantAccess() },
    },
    async (request) => service.listMine(request.ctx, request.query),
  )

  app.get(
    `${BASE}/:applicationId`,
    {
      schema: {
        summary: 'Get an instructor application',
        description: 'Reviewers see every application; anyone else only their own (404 for the rest).',
        tags,
        operationId: 'getInstructorApplication',
        params: ApplicationParams,
        response: { 200: ApplicationRef },
      },
      config: { access: tenantAccess() },
    },
    async (request, reply) => {
      const application = await service.get(request.ctx, request.params.applicationId)
      setEtag(reply, application.version)
      return application
    },
  )

  app.post(
    `${BASE}/:applicationId/withdraw`,
    {
      schema: {
        summary: 'Withdraw your pending instructor application',
        tags,
        operationId: 'withdrawInstructorApplication',
        params: ApplicationParams,
        response: { 200: ApplicationRef },
      },
      config: { ifMatch: 'optional', access: tenantAccess() },
    },
    async (request, reply) => {
      const application = await service.withdraw(request.ctx, request.params.applicationId, expectedVersion(request))
      setEtag(reply, application.version)
      return application
    },
  )
}

/** Reviewers (instructors:review): the queue and the decisions. */
function reviewerRoutes(
  app: App,
  service: ApplicationsService,
  ApplicationRef: Ref,
  ApplicationPage: ReturnType<typeof Page>,
) {
  app.get(
    BASE,
    {
      schema: {
        summary: "List the tenant's instructor applications, oldest first",
        tags,
        operationId: 'listInstructorApplications',
        querystring: ApplicationQuery,
        response: { 200: ApplicationPage },
      },
      config: { access: tenantAccess('instructors:review') },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.post(
    `${BASE}/:applicationId/approve`,
    {
      schema: {
        summary: 'Approve an instructor application (grants the instructor role)',
        description: `${DECISION_RULES} The role applies on the applicant's next request.`,
        tags,
        operationId: 'approveInstructorApplication',
        params: ApplicationParams,
        body: ApproveApplicationBody,
        response: { 200: ApplicationRef },
      },
      config: { ifMatch: 'required', access: tenantAccess({ allOf: ['instructors:review'], peopleOnly: true }) },
    },
    async (request, reply) => {
      const application = await service.approve(
        request.ctx,
        request.params.applicationId,
        expectedVersion(request),
        request.body.note,
      )
      setEtag(reply, application.version)
      return application
    },
  )

  app.post(
    `${BASE}/:applicationId/reject`,
    {
      schema: {
        summary: 'Reject an instructor application',
        description: `${DECISION_RULES} A note for the applicant is required.`,
        tags,
        operationId: 'rejectInstructorApplication',
        params: ApplicationParams,
        body: RejectApplicationBody,
        response: { 200: ApplicationRef },
      },
      config: { ifMatch: 'required', access: tenantAccess({ allOf: ['instructors:review'], peopleOnly: true }) },
    },
    async (request, reply) => {
      const application = await service.reject(
        request.ctx,
        request.params.applicationId,
        expectedVersion(request),
        request.body.note,
      )
      setEtag(reply, application.version)
      return application
    },
  )
}

export function applicationsRoutes(service: ApplicationsService) {
  return async function routes(app: App) {
    app.addSchema(InstructorApplication)
    const ApplicationRef = Type.Ref('InstructorApplication')
    const ApplicationPage = Page(ApplicationRef, 'InstructorApplicationPage')
    applicantRoutes(app, service, ApplicationRef, ApplicationPage)
    reviewerRoutes(app, service, ApplicationRef, ApplicationPage)
  }
}
