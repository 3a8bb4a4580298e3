/**
 * Test support: turns the application's own OpenAPI document into requests. For each operation,
 * a baseline request (valid-shaped random values: UUIDs in the path, a body built from the
 * schema's required members) and malformed variants of it, one defect each: in the path
 * (overlong and long segments, NUL, wrong types, 1e309, -1, broken percent-encoding), in the query
 * (the same per declared parameter, huge strings, repeats, unknown names), in the body (invalid
 * JSON, no body, wrong content type, wrong root type, deep nesting, extra properties, and each
 * member set to NUL, 1e309, -1, a huge string, a wrong type, null) and in If-Match.
 * The walk reads the document, so a route added later is walked without changing this file.
 */
import { randomUUID } from 'node:crypto'
import { problemViolation } from './problem-check.ts'

export interface JsonSchema {
  $ref?: string
  type?: string | string[]
  format?: string
  pattern?: string
  enum?: unknown[]
  const?: unknown
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  allOf?: JsonSchema[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  minItems?: number
  minProperties?: number
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
}

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie'
  name: string
  required?: boolean
  schema?: JsonSchema
}

export interface Operation {
  operationId?: string
  parameters?: Parameter[]
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> }
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>
  'x-access'?: 'public' | 'tenant' | 'operator'
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, JsonSchema> }
}

export interface WalkedOperation {
  name: string
  method: string
  path: string
  access: 'public' | 'tenant' | 'operator'
  operation: Operation
  pathParams: Parameter[]
  queryParams: Parameter[]
  declaresIfMatch: boolean
}

export interface Probe {
  label: string
  method: string
  url: string
  headers: Record<string, string>
  payload?: string
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch'])
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
/** Stands for a raw `1e309` in a JSON text: JSON.stringify cannot write a non-finite number. */
const RAW_OVERFLOW = '__walk_raw_1e309__'
const HUGE_STRING = 'x'.repeat(100_000)

export function operationsOf(document: OpenApiDocument): WalkedOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, operation]) => {
        const parameters = operation.parameters ?? []
        return {
          name: `${method.toUpperCase()} ${path}`,
          method: method.toUpperCase(),
          path,
          access: operation['x-access'] ?? 'public',
          operation,
          pathParams: parameters.filter((p) => p.in === 'path'),
          queryParams: parameters.filter((p) => p.in === 'query'),
          declaresIfMatch: parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match'),
        }
      }),
  )
}

export function createSchemaSampler(document: OpenApiDocument) {
  const resolve = (schema: JsonSchema | undefined): JsonSchema => {
    let current = schema ?? {}
    for (let hops = 0; current.$ref && hops < 10; hops++)
      current = document.components.schemas[current.$ref.split('/').at(-1) ?? ''] ?? {}
    return current
  }

  const PATTERN_CANDIDATES = ['walk', 'a', 'abc', 'walk-probe', 'a1', 'A', '1', 'x_y', 'walk.probe', 'ab:cd', 'AB-12']

  function sampleString(schema: JsonSchema): string {
    switch (schema.format) {
      case 'uuid':
        return randomUUID()
      case 'date-time':
        return new Date(Date.now() + 86_400_000).toISOString()
      case 'date':
        return '2030-01-01'
      case 'email':
        return `walk-${randomUUID().slice(0, 8)}@example.com`
      case 'uri':
      case 'url':
        return 'https://example.com/walk'
      case 'hostname':
        return `walk-${randomUUID().slice(0, 8)}.example.com`
    }
    const min = Math.max(schema.minLength ?? 1, 1)
    const fits = (value: string) =>
      value.length >= min &&
      value.length <= (schema.maxLength ?? Infinity) &&
      (schema.pattern === undefined || matches(schema.pattern, value))
    return [...PATTERN_CANDIDATES, 'x'.repeat(min)].find(fits) ?? 'x'.repeat(min)
  }

  function sample(input: JsonSchema | undefined, depth = 0): unknown {
    const schema = resolve(input)
    if (depth > 8) return null
    if ('const' in schema) return schema.const
    if (schema.enum && schema.enum.length > 0) return schema.enum[0]
    const options = schema.anyOf ?? schema.oneOf
    if (options) {
      const chosen = options.map(resolve).find((option) => option.type !== 'null') ?? options[0]
      return sample(chosen, depth + 1)
    }
    if (schema.allOf?.[0]) return sample(schema.allOf[0], depth + 1)
    const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type
    switch (type) {
      case 'string':
        return sampleString(schema)
      case 'integer':
      case 'number': {
        const floor = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1)
        return Math.min(floor, schema.maximum ?? floor)
      }
      case 'boolean':
        return true
      case 'array':
        return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items, depth + 1))
      case 'object': {
        // The required members, then optional ones until minProperties (a PATCH needs one).
        const names = [...(schema.required ?? [])]
        for (const name of Object.keys(schema.properties ?? {}))
          if (names.length < (schema.minProperties ?? 0) && !names.includes(name)) names.push(name)
        return Object.fromEntries(names.map((name) => [name, sample(schema.properties?.[name], depth + 1)]))
      }
      case 'null':
        return null
      default:
        return 'walk'
    }
  }

  return { resolve, sample }
}

function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value)
  } catch {
    return true
  }
}

function toJson(value: unknown): string {
  return JSON.stringify(value).replaceAll(`"${RAW_OVERFLOW}"`, '1e309')
}

/** The values every member is set to, one at a time (strings are sent as they are, RAW_OVERFLOW as `1e309`). */
function memberDefects(schema: JsonSchema): Array<[string, unknown]> {
  const wrongType = schema.type === 'object' ? 'walk' : { walk: true }
  return [
    ['NUL', 'a\u0000b'],
    ['1e309', RAW_OVERFLOW],
    ['-1', -1],
    ['huge string', HUGE_STRING],
    ['wrong type', wrongType],
    ['deep nesting', JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`)],
  ]
}

const PATH_DEFECTS: Array<[string, string]> = [
  ['overlong segment', 'a'.repeat(300)],
  ['long segment', 'a'.repeat(200)],
  ['NUL', 'a%00b'],
  ['wrong type', 'not-a-valid-id'],
  ['-1', '-1'],
  ['1e309', '1e309'],
  ['broken percent-encoding', '%E0%A4%A'],
]

const QUERY_DEFECTS: Array<[string, string]> = [
  ['NUL', 'a%00b'],
  ['1e309', '1e309'],
  ['-1', '-1'],
  ['not a number', 'abc'],
  ['huge string', 'x'.repeat(10_000)],
]

/** Defects of the query string as a whole, sent once per operation (on its first parameter). */
const QUERY_STRING_DEFECTS: Array<[string, string]> = [
  ['Infinity', 'Infinity'],
  ['empty', ''],
  ['broken percent-encoding', '%E0%A4%A'],
]

export function createProbeFactory(document: OpenApiDocument) {
  const { resolve, sample } = createSchemaSampler(document)

  function pathWith(operation: WalkedOperation, override?: { name: string; raw: string }): string {
    return operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
      if (override?.name === name) return override.raw
      const param = operation.pathParams.find((p) => p.name === name)
      return encodeURIComponent(String(sample(param?.schema)))
    })
  }

  function jsonBodySchema(operation: WalkedOperation): JsonSchema | undefined {
    const schema = operation.operation.requestBody?.content?.['application/json']?.schema
    return schema ? resolve(schema) : undefined
  }

  /** Probes for one operation; identity headers are added by the caller. */
  function probesFor(operation: WalkedOperation): Probe[] {
    const { method } = operation
    const bodySchema = jsonBodySchema(operation)
    const baseBody = bodySchema ? sample(bodySchema) : undefined
    // With If-Match declared, the baseline sends one, so it reaches the lookup (not-found) rather than 428.
    const baseHeaders: Record<string, string> = {
      ...(baseBody === undefined ? {} : { 'content-type': 'application/json' }),
      ...(operation.declaresIfMatch ? { 'if-match': '"v1"' } : {}),
    }
    const base = (label: string, url: string, extra: Partial<Probe> = {}): Probe => ({
      label,
      method,
      url,
      headers: baseHeaders,
      ...(baseBody === undefined ? {} : { payload: toJson(baseBody) }),
      ...extra,
    })
    const probes: Probe[] = []
    const path = pathWith(operation)

    // A write without path parameters and a valid body would just succeed; everything else is a
    // read or a not-found probe (random identifiers).
    if (method === 'GET' || operation.pathParams.length > 0) probes.push(base('baseline', path))

    for (const param of operation.pathParams)
      for (const [defect, raw] of PATH_DEFECTS)
        probes.push(base(`path ${param.name}: ${defect}`, pathWith(operation, { name: param.name, raw })))

    operation.queryParams.forEach((param, index) => {
      const name = encodeURIComponent(param.name)
      for (const [defect, raw] of index === 0 ? [...QUERY_DEFECTS, ...QUERY_STRING_DEFECTS] : QUERY_DEFECTS)
        probes.push(base(`query ${param.name}: ${defect}`, `${path}?${name}=${raw}`))
      probes.push(base(`query ${param.name}: repeated`, `${path}?${name}=a&${name}=b`))
    })
    if (operation.queryParams.length > 0) probes.push(base('query: unknown parameter', `${path}?walkUnknown=1`))

    if (WITH_BODY.has(method)) probes.push(...bodyProbes(operation, path, bodySchema, baseBody))

    if (operation.declaresIfMatch) {
      const { 'if-match': _sent, ...withoutIfMatch } = baseHeaders
      probes.push(base('if-match: absent', path, { headers: withoutIfMatch }))
      for (const value of ['garbage', '"v9999999999"', '"v-1"', 'W/"v0"', '*', 'x'.repeat(100)])
        probes.push(base(`if-match: ${value.slice(0, 20)}`, path, { headers: { ...baseHeaders, 'if-match': value } }))
    }
    return probes
  }

  function bodyProbes(operation: WalkedOperation, path: string, schema: JsonSchema | undefined, baseBody: unknown) {
    const probe = (label: string, payload: string, contentType = 'application/json'): Probe => ({
      label: `body: ${label}`,
      method: operation.method,
      url: path,
      headers: { 'content-type': contentType },
      payload,
    })
    const probes: Probe[] = [
      probe('invalid JSON', '{"walk": '),
      probe('empty with a JSON content type', ''),
      probe('wrong content type', 'walk=1', 'application/x-www-form-urlencoded'),
      probe('JSON string', '"walk"'),
      probe('JSON array', '[]'),
      probe('1e309', '1e309'),
      probe('nested too deep', `{"walk":${'['.repeat(200)}${']'.repeat(200)}}`),
    ]
    for (const [type, content] of Object.entries(operation.operation.requestBody?.content ?? {}))
      if (type !== 'application/json' && resolve(content.schema).type === 'string')
        probes.push(probe(`${type} with NUL`, 'a\u0000b', type), probe(`${type} empty`, '', type))
    if (!schema || baseBody === null || typeof baseBody !== 'object' || Array.isArray(baseBody)) return probes
    probes.push(probe('extra property', toJson({ ...baseBody, walkExtra: 'walk' })))
    for (const [name, member] of Object.entries(schema.properties ?? {})) {
      const memberSchema = resolve(member)
      for (const [defect, value] of memberDefects(memberSchema))
        probes.push(probe(`${name}: ${defect}`, toJson({ ...baseBody, [name]: value })))
      // One level down: the same defects inside an object member.
      const nested = memberSchema.properties ? sample(memberSchema) : undefined
      if (nested && typeof nested === 'object')
        for (const child of Object.keys(memberSchema.properties ?? {}))
          for (const [defect, value] of memberDefects(resolve(memberSchema.properties?.[child])).slice(0, 2))
            probes.push(
              probe(`${name}.${child}: ${defect}`, toJson({ ...baseBody, [name]: { ...nested, [child]: value } })),
            )
    }
    return probes
  }

  return { probesFor, sample }
}

/** What one probe got back. */
export interface Outcome {
  operation: WalkedOperation
  caller: string
  /** Whether the caller may call the operation (its x-access), so the probe reached the route's own rules. */
  admitted: boolean
  probe: Probe
  status: number
  contentType: string
  requestId: string | undefined
  body: string
}

export interface Injector {
  inject(options: {
    method: string
    url: string
    headers: Record<string, string>
    payload?: string
  }): Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>
}

export interface WalkCaller {
  name: string
  headers(): Record<string, string>
  /** The access kinds this caller may use: it gets every probe there, a sample elsewhere. */
  mayCall: ReadonlySet<WalkedOperation['access']>
  /** Re-establishes the caller's session when an operation ended it (logout and the like). */
  keepAlive?(): Promise<void>
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/**
 * Sends every probe of every operation as each caller: all of them where the caller may call the
 * operation, the first `sampleSize` elsewhere (those end at 401/403 before validation).
 */
export async function walkDocument(
  app: Injector,
  document: OpenApiDocument,
  callers: WalkCaller[],
  options: { sampleSize?: number; concurrency?: number } = {},
): Promise<Outcome[]> {
  const { sampleSize = 2, concurrency = 16 } = options
  const { probesFor } = createProbeFactory(document)
  const outcomes: Outcome[] = []
  // One operation at a time (an operation may end the caller's session), its probes in parallel.
  for (const operation of operationsOf(document)) {
    const probes = probesFor(operation)
    for (const caller of callers) {
      const admitted = caller.mayCall.has(operation.access)
      await inParallel(admitted ? probes : probes.slice(0, sampleSize), concurrency, async (probe) => {
        const response = await app.inject({
          method: probe.method,
          url: probe.url,
          headers: { ...probe.headers, ...caller.headers() },
          ...(probe.payload === undefined ? {} : { payload: probe.payload }),
        })
        outcomes.push({
          operation,
          caller: caller.name,
          admitted,
          probe,
          status: response.statusCode,
          contentType: String(response.headers['content-type'] ?? ''),
          requestId: response.headers['x-request-id'] as string | undefined,
          body: response.statusCode >= 400 ? response.body : '',
        })
      })
      await caller.keepAlive?.()
    }
  }
  return outcomes
}

const describeOutcome = (o: Outcome) =>
  `${o.operation.name} as ${o.caller}, ${o.probe.label} (${o.probe.method} ${o.probe.url.slice(0, 120)}) → ${o.status}`

/** The walk's findings, one list per rule; all empty for a sound API. */
export function contractViolations(outcomes: Outcome[]) {
  return {
    serverErrors: outcomes.filter((o) => o.status >= 500).map((o) => `${describeOutcome(o)}: ${o.body.slice(0, 200)}`),
    notProblemDocuments: outcomes.flatMap((o) => {
      const problem = o.status >= 400 ? problemViolation(o.status, o.contentType, o.body) : undefined
      const missingId = o.requestId ? undefined : 'no x-request-id header'
      return [problem, missingId].filter(Boolean).map((why) => `${describeOutcome(o)}: ${why}`)
    }),
    // A random, valid-shaped identifier names nothing: an operation under it must not succeed
    // (a nested collection of an unknown parent is 404, not an empty page).
    succeededUnderRandomIds: outcomes
      .filter((o) => o.admitted && o.probe.label === 'baseline' && o.operation.pathParams.length > 0)
      .filter((o) => o.status >= 200 && o.status < 300)
      .map(describeOutcome),
    undeclared428: outcomes
      .filter((o) => o.status === 428 && !o.operation.declaresIfMatch)
      .map((o) => `${describeOutcome(o)}: 428 without If-Match in the document`),
  }
}
