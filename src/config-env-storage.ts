/**
 * The environment variables of object storage and signed downloads (ADR 0037), spread into
 * EnvSchema (config-env.ts) so they stay one schema and one generated table.
 */
import { Type } from 'typebox'

export const storageEnv = {
  STORAGE_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'File storage directory (default DATA_DIR/storage): the objects of the local driver, and the directory readiness probes',
    }),
  ),
  STORAGE_DRIVER: Type.Enum(['local', 's3'], {
    default: 'local',
    description:
      'Object storage: local (files under STORAGE_DIR, one node or a shared volume) or s3 (an S3-compatible bucket, S3_* variables)',
  }),
  S3_BUCKET: Type.Optional(
    Type.String({ minLength: 3, maxLength: 63, description: 'Bucket of STORAGE_DRIVER=s3 (required with it)' }),
  ),
  S3_REGION: Type.String({
    minLength: 1,
    default: 'us-east-1',
    description: 'Region of the bucket (S3-compatible servers usually accept any)',
  }),
  S3_ENDPOINT: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'Endpoint of an S3-compatible server, e.g. https://minio.internal:9000; unset = AWS S3',
    }),
  ),
  S3_FORCE_PATH_STYLE: Type.Boolean({
    default: false,
    description:
      'Address the bucket as ENDPOINT/BUCKET/key instead of BUCKET.ENDPOINT/key (MinIO and most self-hosted servers)',
  }),
  S3_ACCESS_KEY_ID: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Access key of the bucket, with S3_SECRET_ACCESS_KEY; unset = the AWS SDK default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance or task role)',
    }),
  ),
  S3_SECRET_ACCESS_KEY: Type.Optional(
    Type.String({ minLength: 1, description: 'Secret key belonging to S3_ACCESS_KEY_ID' }),
  ),
  S3_PART_SIZE_MB: Type.Integer({
    minimum: 5,
    maximum: 512,
    default: 16,
    description:
      'Multipart upload part size in MiB (S3 minimum 5); memory per upload is about this times S3_UPLOAD_QUEUE_SIZE',
  }),
  S3_UPLOAD_QUEUE_SIZE: Type.Integer({
    minimum: 1,
    maximum: 16,
    default: 4,
    description: 'Parts of one multipart upload in flight at once',
  }),
  FILE_URL_SECRET: Type.Optional(
    Type.String({
      minLength: 32,
      description:
        'HMAC key (>= 32 chars) of signed download URLs (/v1/files/...); its own secret, never the value of another. Changing it invalidates every URL handed out',
    }),
  ),
  ASSET_MAX_UPLOAD_MB: Type.Integer({
    minimum: 1,
    maximum: 5120,
    default: 100,
    description:
      'Largest asset a tenant may upload (resumable uploads), in MiB; a tenant override may lower or raise it. With a scanner it is also capped at CLAMD_STREAM_MAX_MB: a file clamd cannot scan is never accepted',
  }),
  ASSET_SIMPLE_UPLOAD_MAX_MB: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 20,
    description:
      'Largest asset accepted by the one-request upload (POST /v1/assets), in MiB; larger files use the resumable upload',
  }),
  ASSET_TENANT_QUOTA_MB: Type.Integer({
    minimum: 1,
    default: 10240,
    description:
      "Default storage quota per tenant for assets, in MiB (quarantined and in-flight uploads count); an operator's per-tenant limit overrides it",
  }),
}
