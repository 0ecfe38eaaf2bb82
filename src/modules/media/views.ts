import type { Tx } from '../../platform/db/database.ts';
import type { ObjectStore } from '../../platform/storage/index.ts';
import { VARIANT_FORMATS } from './images.ts';
import { CONTENT_TYPE } from './images.ts';
import { type ImageVariant, findAssets } from './repository.ts';
import { hlsPath } from './service.ts';

/** What the storefront needs to render a ready image: one srcset per format, JPEG last as the `<img>` itself. */
export interface ResponsiveImage {
  kind: 'image';
  width: number;
  height: number;
  /** Modern formats first (AVIF, WebP), for `<source type srcset>`. */
  sources: { type: string; srcset: string }[];
  /** The JPEG srcset and its 640 px variant (or the largest below) as `src`, for `<img>`. */
  fallback: { src: string; srcset: string };
}

export interface VideoView {
  kind: 'video';
  width: number;
  height: number;
  hls: string;
  mp4: string;
  poster: string;
}

export type MediaView = ResponsiveImage | VideoView;

async function srcset(store: ObjectStore, variants: ImageVariant[]): Promise<string> {
  const sorted = [...variants].sort((a, b) => a.width - b.width);
  return (await Promise.all(sorted.map(async (variant) => `${await store.presignGet(variant.key)} ${variant.width}w`))).join(', ');
}

/** The ready assets among `ids`, as the storefront renders them; others (processing, failed, unknown) are left out. */
export async function mediaViews(trx: Tx, store: ObjectStore, ids: string[]): Promise<Map<string, MediaView>> {
  const views = new Map<string, MediaView>();
  for (const row of await findAssets(trx, [...new Set(ids)])) {
    if (row.status !== 'ready' || !row.width || !row.height) continue;
    if (Array.isArray(row.variants)) {
      const variants = row.variants;
      const byFormat = (format: string) => variants.filter((variant) => variant.format === format);
      const jpeg = byFormat('jpeg').sort((a, b) => a.width - b.width);
      const middle = jpeg.find((variant) => variant.width >= 640) ?? jpeg.at(-1);
      if (!middle) continue;
      const sources = await Promise.all(
        VARIANT_FORMATS.filter((format) => format !== 'jpeg').map(async (format) => ({ type: CONTENT_TYPE[format], srcset: await srcset(store, byFormat(format)) })),
      );
      views.set(row.id, { kind: 'image', width: row.width, height: row.height, sources, fallback: { src: await store.presignGet(middle.key), srcset: await srcset(store, jpeg) } });
    } else {
      const outputs = row.variants;
      views.set(row.id, {
        kind: 'video',
        width: row.width,
        height: row.height,
        hls: hlsPath(row.id, 'master.m3u8'),
        mp4: await store.presignGet(outputs.mp4_key),
        poster: await store.presignGet(outputs.poster_key),
      });
    }
  }
  return views;
}

/** The store's logo as a responsive image, when it has one that is ready. */
export async function storeLogo(trx: Tx, store: ObjectStore): Promise<ResponsiveImage | undefined> {
  const logo = await trx.selectFrom('media_store_logos').select('asset_id').executeTakeFirst();
  if (!logo) return undefined;
  const view = (await mediaViews(trx, store, [logo.asset_id])).get(logo.asset_id);
  return view?.kind === 'image' ? view : undefined;
}
