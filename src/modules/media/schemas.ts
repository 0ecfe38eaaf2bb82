import { type Static, Type } from 'typebox';
import { IMAGE_TYPES, VIDEO_TYPES } from './inspect.ts';

const Uuid = Type.String({ format: 'uuid' });

export const UploadRequest = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^/\\\\\\u0000-\\u001f]+$' }),
    content_type: Type.Union([...IMAGE_TYPES, ...VIDEO_TYPES].map((type) => Type.Literal(type))),
    byte_size: Type.Integer({ minimum: 1, maximum: 10 * 1024 ** 3 }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Hex SHA-256 of the file; checked after upload.' }),
  },
  { additionalProperties: false },
);
export type UploadRequest = Static<typeof UploadRequest>;

const ImageVariant = Type.Object(
  { width: Type.Integer(), height: Type.Integer(), format: Type.String(), url: Type.String(), bytes: Type.Integer() },
  { additionalProperties: false },
);

export const Asset = Type.Object(
  {
    id: Uuid,
    kind: Type.Union([Type.Literal('image'), Type.Literal('video')]),
    status: Type.Union([Type.Literal('awaiting_upload'), Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')]),
    filename: Type.String(),
    content_type: Type.String(),
    byte_size: Type.Integer(),
    sha256: Type.String(),
    width: Type.Union([Type.Integer(), Type.Null()]),
    height: Type.Union([Type.Integer(), Type.Null()]),
    duration_ms: Type.Union([Type.Integer(), Type.Null()]),
    progress: Type.Number({ description: '0..1 while a transcode runs' }),
    attempts: Type.Integer(),
    error: Type.Union([Type.String(), Type.Null()]),
    stored_bytes: Type.Integer(),
    images: Type.Array(ImageVariant),
    video: Type.Union([
      Type.Object({ hls_url: Type.String(), mp4_url: Type.String(), poster_url: Type.String(), renditions: Type.Array(Type.String()) }, { additionalProperties: false }),
      Type.Null(),
    ]),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type Asset = Static<typeof Asset>;

export const Quota = Type.Object(
  {
    bytes_stored: Type.Integer(),
    quota_bytes: Type.Integer(),
    max_upload_bytes: Type.Integer(),
    used_ratio: Type.Number(),
    warning: Type.Boolean({ description: 'True past 80 % of the quota.' }),
  },
  { additionalProperties: false },
);
export type Quota = Static<typeof Quota>;

export const UploadTicket = Type.Object(
  {
    asset: Asset,
    upload: Type.Object(
      { url: Type.String(), method: Type.Literal('PUT'), headers: Type.Record(Type.String(), Type.String()), expires_at: Type.String({ format: 'date-time' }) },
      { additionalProperties: false },
    ),
    quota: Quota,
  },
  { additionalProperties: false },
);
export type UploadTicket = Static<typeof UploadTicket>;

export const AttachInput = Type.Object({ asset_id: Uuid, alt: Type.String({ maxLength: 300 }) }, { additionalProperties: false });
export const AssetListQuery = Type.Object(
  { status: Type.Optional(Type.Union([Type.Literal('awaiting_upload'), Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')])) },
  { additionalProperties: false },
);
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
