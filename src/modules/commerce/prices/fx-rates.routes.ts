/** Exchange rates, recorded and listed by platform operators. */
import { Type } from 'typebox'
import { AppError } from '../../../platform/errors.ts'
import { operatorAccess } from '../../../platform/http/access.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import { FxRateBody, FxRateQuery } from './prices.schemas.ts'
import type { FxRatesService } from './fx-rates.service.ts'

const tags = ['ops']

/**
 * Validation coerces a JSON number into a string schema (coerceTypes), and a JSON number is a
 * binary float by the time it is parsed (1.0000000000000001 is 1): a rate must arrive as text.
 */
async function rateAsText(request: { body: unknown }): Promise<void> {
  const rate = (request.body as { rate?: unknown } | null)?.rate
  if (rate !== undefined && typeof rate !== 'string')
    throw new AppError('invalid', 'VALIDATION_FAILED', 'body.rate must be a decimal string such as "1.0842"', {
      errors: [{ path: 'body.rate', message: 'must be a string: a JSON number is a float', code: 'type' }],
    })
}

export function fxRatesRoutes(app: App, service: FxRatesService): void {
  app.get(
    '/v1/ops/fx-rates',
    {
      schema: {
        summary: 'Exchange rates, latest first',
        description:
          'Every recorded rate (the history conversions and reports are computed from), optionally of one pair, newest effectiveAt first.',
        tags,
        operationId: 'listFxRates',
        querystring: FxRateQuery,
        response: { 200: Page(Type.Ref('FxRate'), 'FxRatePage') },
      },
      config: { access: operatorAccess('platform:fx_rates') },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.post(
    '/v1/ops/fx-rates',
    {
      schema: {
        summary: 'Record an exchange rate',
        description:
          'rate units of quoteCurrency per unit of baseCurrency, as an exact decimal string, in effect from effectiveAt (default now; between 2000 and now, 422 otherwise) until a later rate of the pair. Rates are never edited: a correction is a newer rate. Quotes use the latest rate of the pair no older than a week, and round half-even at the quote currency exponent. Audited (commerce.fx_rate_recorded).',
        tags,
        operationId: 'recordFxRate',
        body: FxRateBody,
        response: { 201: Type.Ref('FxRate') },
      },
      config: { access: operatorAccess('platform:fx_rates') },
      preValidation: rateAsText,
    },
    async (request, reply) => reply.code(201).send(await service.record(request.ctx, request.body)),
  )
}
