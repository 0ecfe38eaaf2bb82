import { ApiError, ok } from '../../../shared/api/problem.ts';
import type { AdminContext } from '../context.ts';
import type { MediaAsset } from '../types.ts';

/** The types the media pipeline takes (its upload schema refuses the rest). */
export const MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/gif', 'video/mp4', 'video/quicktime', 'video/webm'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];
const isMediaType = (type: string): type is MediaType => (MEDIA_TYPES as readonly string[]).includes(type);

async function sha256(file: File): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The pipeline's upload: a presigned URL for exactly this type and size, the bytes PUT straight to storage, then
 * "complete", which queues the processing. Returns the asset, now `processing`.
 */
export async function uploadFile(admin: AdminContext, file: File): Promise<MediaAsset> {
  if (!isMediaType(file.type)) throw new Error(`${file.name}: only JPEG, PNG, WebP, AVIF and GIF images or MP4, MOV and WebM videos can be added.`);
  const ticket = await ok(admin.api.POST('/admin/api/v1/media/uploads', { body: { filename: file.name, content_type: file.type, byte_size: file.size, sha256: await sha256(file) } }));
  const put = await fetch(ticket.upload.url, { method: ticket.upload.method, headers: ticket.upload.headers, body: file });
  if (!put.ok) throw new ApiError(put.status, await put.json().catch(() => ({ detail: `The upload of ${file.name} failed; try again.` })));
  return ok(admin.api.POST('/admin/api/v1/media/{id}/complete', { params: { path: { id: ticket.asset.id } } }));
}

/** Asks for the asset every second until the pipeline is done with it (ready or failed), or `signal` aborts. */
export async function settled(admin: AdminContext, id: string, signal: AbortSignal, onProgress: (asset: MediaAsset) => void): Promise<MediaAsset> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (signal.aborted) throw signal.reason;
    const asset = await ok(admin.api.GET('/admin/api/v1/media/{id}', { params: { path: { id } } }));
    if (asset.status === 'ready' || asset.status === 'failed') return asset;
    onProgress(asset);
  }
}

/** The smallest variant at least `width` wide (JPEG, which every browser shows), or the poster of a video. */
export function thumbnailOf(asset: MediaAsset | undefined, width = 160): string | undefined {
  if (!asset) return undefined;
  if (asset.video) return asset.video.poster_url;
  const jpegs = asset.images.filter((image) => image.format === 'jpeg').sort((a, b) => a.width - b.width);
  return (jpegs.find((image) => image.width >= width) ?? jpegs.at(-1))?.url;
}
