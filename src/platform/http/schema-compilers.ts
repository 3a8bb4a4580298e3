/**
 * Fastify's schema compilers (ajv validators, fast-json-stringify serializers), shared by every
 * app this process builds. Compiling the route schemas was most of an app's build: profiled,
 * ~40 % of `buildTestApp` in fast-json-stringify and ~17 % in ajv (docs/testing.md). The test
 * suite builds an app per file in long-lived worker processes, so each distinct schema is now
 * compiled once per process. A production process builds one app: nothing changes for it.
 *
 * Compiled functions are keyed by what they are compiled from: the external schemas
 * (`app.addSchema`) and options, the request part, and the schema's JSON. Route schemas are often
 * new objects per build with the same content, so identity would not do; the JSON is what the
 * compilers read (TypeBox's symbol-keyed metadata is invisible to them as to JSON.stringify).
 * The cache holds one function per distinct schema: bounded by the code, not by traffic.
 */
import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
type ValidatorBuilder = NonNullable<CompilersFactory['buildValidator']>
type SerializerBuilder = NonNullable<CompilersFactory['buildSerializer']>
type RouteSchema = { schema?: unknown; httpPart?: string }

const buildValidatorFromPool = AjvCompiler() as ValidatorBuilder
const buildSerializer = SerializerSelector() as SerializerBuilder
const compiled = new Map<string, unknown>()

function once<T>(key: string, compile: () => T): T {
  if (compiled.has(key)) return compiled.get(key) as T
  const result = compile()
  compiled.set(key, result)
  return result
}

/**
 * Fastify lowercases the header names of a header schema only with its own compilers; with these
 * (a "custom" compiler to Fastify) the schema must already spell them in lower case.
 */
function checkHeaderNames({ schema, httpPart }: RouteSchema): void {
  if (httpPart !== 'headers' || !schema || typeof schema !== 'object') return
  const properties = (schema as { properties?: Record<string, unknown> }).properties ?? {}
  for (const name of Object.keys(properties))
    if (name !== name.toLowerCase()) throw new Error(`header schemas name headers in lower case: ${name}`)
}

export const sharedSchemaCompilers: CompilersFactory = {
  buildValidator(externalSchemas, options) {
    const compile = buildValidatorFromPool(externalSchemas, options)
    const context = JSON.stringify([externalSchemas, options?.customOptions, options?.mode])
    return (route: RouteSchema) => {
      checkHeaderNames(route)
      return once(`validator ${context} ${route.httpPart} ${JSON.stringify(route.schema)}`, () =>
        compile(route as Parameters<typeof compile>[0]),
      )
    }
  },
  buildSerializer(externalSchemas, options) {
    const compile = buildSerializer(externalSchemas, options)
    const context = JSON.stringify([externalSchemas, options])
    return (route: RouteSchema) =>
      once(`serializer ${context} ${JSON.stringify(route.schema)}`, () =>
        compile(route as Parameters<typeof compile>[0]),
      )
  },
}
