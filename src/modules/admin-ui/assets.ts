import { readFileSync, readdirSync } from 'node:fs';
import { extname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ADMIN_DIST } from './build.ts';
import { adminBundleSize } from './telemetry.ts';

export interface BuiltFile {
  body: Buffer;
  gzipped: Buffer;
  contentType: string;
}

export interface AdminBuild {
  /** The app shell; it names the hashed entry script and stylesheet. */
  index: BuiltFile;
  /** Hashed files under /admin/assets/, by file name. */
  assets: Map<string, BuiltFile>;
  /** Gzipped bytes a first visit fetches (index.html, the entry and what it imports statically, their CSS). */
  initialBytes: number;
  totalBytes: number;
}

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};

function load(url: URL): BuiltFile {
  const body = readFileSync(url);
  return { body, gzipped: gzipSync(body, { level: 9 }), contentType: CONTENT_TYPES[extname(url.pathname)] ?? 'application/octet-stream' };
}

/** Files the entry pulls in before the first paint: the entry chunk, its static imports, and their CSS. */
function initialFiles(manifest: Record<string, ManifestChunk>): Set<string> {
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  return files;
}

/** Reads the built admin into memory (a few hundred KB) with gzip done once, and reports its size. */
export function loadAdminBuild(dist = ADMIN_DIST): AdminBuild {
  const manifest = JSON.parse(readFileSync(new URL('.vite/manifest.json', dist), 'utf8')) as Record<string, ManifestChunk>;
  const index = load(new URL('index.html', dist));
  const assets = new Map<string, BuiltFile>();
  for (const name of readdirSync(new URL('assets/', dist))) assets.set(name, load(new URL(`assets/${name}`, dist)));
  const initial = initialFiles(manifest);
  let initialBytes = index.gzipped.length;
  let totalBytes = index.gzipped.length;
  for (const [name, file] of assets) {
    totalBytes += file.gzipped.length;
    if (initial.has(`assets/${name}`)) initialBytes += file.gzipped.length;
  }
  adminBundleSize.set({ type: 'initial' }, initialBytes);
  adminBundleSize.set({ type: 'total' }, totalBytes);
  return { index, assets, initialBytes, totalBytes };
}
