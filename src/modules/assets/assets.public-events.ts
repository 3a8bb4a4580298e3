/** The asset library's public events (platform/events/public-events.ts): ids, type, size and digest, never names. */
import { Type } from 'typebox'
import { Nullable, PublicId, PublicInstant } from '../../platform/events/public-event-schemas.ts'
import { definePublicEvent, resourceBy } from '../../platform/events/public-events.ts'
import { ASSETS_ASSET_COMPLETED } from './assets.events.ts'

export const assetsPublicEvents = [
  definePublicEvent({
    type: ASSETS_ASSET_COMPLETED,
    summary:
      'An uploaded asset left the pipeline: clean (deliverable), infected (quarantined), unscanned (development without a scanner) or rejected.',
    schema: Type.Object({
      assetId: PublicId(),
      uploadedBy: PublicId('The uploader'),
      state: Type.Enum(['clean', 'infected', 'unscanned', 'rejected'], { description: 'Where the asset ended' }),
      reason: Nullable(Type.String({ description: 'Why, for every state but clean (e.g. malware, polyglot)' })),
      mime: Nullable(Type.String({ description: 'The type decided from the bytes' })),
      size: Type.Integer({ minimum: 0, description: 'Bytes' }),
      sha256: Nullable(Type.String({ pattern: '^[0-9a-f]{64}$' })),
      completedAt: PublicInstant(),
    }),
    example: {
      assetId: 'a3c0e4f2-5b1d-4c8e-9f7a-2d6b8e1c4f90',
      uploadedBy: '0be2051f-39d3-462e-aae4-dff5d00a8e5a',
      state: 'clean',
      reason: null,
      mime: 'video/mp4',
      size: 73400320,
      sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      completedAt: '2026-12-07T22:14:03.512Z',
    },
    resourceOf: resourceBy('asset', 'assetId'),
  }),
]
