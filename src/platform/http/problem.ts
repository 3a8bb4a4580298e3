/**
 * RFC 9457 problem documents: the only error shape the API emits.
 */
import { Type, type Static } from 'typebox'
import type { FastifyReply } from 'fastify'
import type { FieldError } from '../errors.ts'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

export const FieldErrorSchema = Type.Object(
  { path: Type.String(), message: Type.String(), code: Type.String() },
  { $id: 'FieldError', additionalProperties: false },
)

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI reference identifying the problem type' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable machine-readable code, e.g. FEATURE_DISABLED' }),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(Type.Ref('FieldError'))),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
)
export type Problem = Static<typeof ProblemSchema> & Record<string, unknown>

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error')
}

/** `type` URIs are stable per code; they resolve to the error catalogue in the docs. */
export function problemType(code: string): string {
  return `https://lyceum.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`
}

export interface ProblemInit {
  status: number
  code: string
  detail: string
  requestId: string
  instance?: string
  errors?: FieldError[]
  extensions?: Record<string, unknown>
}

export function buildProblem(init: ProblemInit): Problem {
  return {
    ...init.extensions,
    type: problemType(init.code),
    title: titleFor(init.status),
    status: init.status,
    detail: init.detail,
    ...(init.instance ? { instance: init.instance } : {}),
    code: init.code,
    requestId: init.requestId,
    ...(init.errors ? { errors: init.errors } : {}),
  }
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(problem)
}
