import type { MediaView } from '../../media/index.ts';
import { type Html, html } from '../html.ts';

/**
 * A ready media asset: `<picture>` with AVIF and WebP sources and a JPEG `<img srcset sizes>` (the browser picks
 * the smallest variant that fills `sizes`; width and height reserve the space), or a `<video>` that plays the
 * HLS ladder (hls.js where the browser has no native HLS) and falls back to MP4. URLs are the store's own signed
 * ones, not merchant input.
 */
export function mediaElement(view: MediaView, alt: string, sizes: string, eager = false): Html {
  if (view.kind === 'video') {
    return html`<video class="product-video" controls playsinline preload="metadata" width="${view.width}" height="${view.height}" poster="${view.poster}" data-hls="${view.hls}">
<source src="${view.mp4}" type="video/mp4"></video>`;
  }
  return html`<picture>${view.sources.map((source) => html`<source type="${source.type}" srcset="${source.srcset}" sizes="${sizes}">`)}<img src="${view.fallback.src}" srcset="${view.fallback.srcset}" sizes="${sizes}" width="${view.width}" height="${view.height}" alt="${alt}" loading="${eager ? 'eager' : 'lazy'}" decoding="async"></picture>`;
}
