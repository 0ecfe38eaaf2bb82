import { readFile, readdir } from 'node:fs/promises';
import { extname } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ADMIN_DIST } from './build.ts';

export interface BuiltFile {
  body: Buffer;
  gzipped: Buffer;
  contentType: string;
}

export interface AppBuild {
  /** The app shell; it names the hashed entry script and stylesheet. */
  index: BuiltFile;
  /** Hashed files under the app's assets/ path, by file name. */
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

const gzipped = promisify(gzip);

/** Compressed on libuv's thread pool: start-up work (jobs, listeners) keeps the event loop meanwhile. */
async function load(url: URL): Promise<BuiltFile> {
  const body = await readFile(url);
  return { body, gzipped: await gzipped(body, { level: 9 }), contentType: CONTENT_TYPES[extname(url.pathname)] ?? 'application/octet-stream' };
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

/** Reads a built app into memory (a few hundred KB) with gzip done once, and measures what a first visit fetches. */
export async function loadAppBuild(dist = ADMIN_DIST): Promise<AppBuild> {
  const manifest = JSON.parse(await readFile(new URL('.vite/manifest.json', dist), 'utf8')) as Record<string, ManifestChunk>;
  const index = await load(new URL('index.html', dist));
  const names = await readdir(new URL('assets/', dist));
  const files = await Promise.all(names.map((name) => load(new URL(`assets/${name}`, dist))));
  const assets = new Map(names.map((name, position) => [name, files[position]!]));
  const initial = initialFiles(manifest);
  let initialBytes = index.gzipped.length;
  let totalBytes = index.gzipped.length;
  for (const [name, file] of assets) {
    totalBytes += file.gzipped.length;
    if (initial.has(`assets/${name}`)) initialBytes += file.gzipped.length;
  }
  return { index, assets, initialBytes, totalBytes };
}
