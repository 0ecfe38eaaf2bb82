import { createHash } from 'node:crypto';

/** What groups an error with its kind: type, message without its variable parts, top in-app frames. */
export interface ErrorFingerprint {
  fingerprint: string;
  errorType: string;
  message: string;
  topFrames: string[];
}

const TOP_FRAMES = 3;
const MAX_MESSAGE = 500;

/** Variable parts of messages (ids, numbers, quoted values) become placeholders, so occurrences group. */
export function normaliseMessage(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/"[^"]*"|'[^']*'/g, '<str>')
    .replace(/\b0x[0-9a-f]+\b|\b[0-9a-f]*\d[0-9a-f]*\b/gi, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_MESSAGE);
}

/** `function (src/path.ts)` for the first frames in our own sources; line numbers are left out on purpose, so
 * that an unrelated edit above the throw does not split a group. */
export function inAppFrames(stack: string | undefined): string[] {
  const frames: string[] = [];
  for (const line of (stack ?? '').split('\n')) {
    const match = /^\s*at (?:(.+?) \()?(?:file:\/\/)?([^()]+?)(?::\d+){0,2}\)?$/.exec(line);
    if (!match) continue;
    const file = match[2]!;
    const inApp = file.lastIndexOf('/src/');
    if (inApp < 0 || file.includes('/node_modules/')) continue;
    frames.push(`${match[1] ?? '<anonymous>'} (${file.slice(inApp + 1)})`);
    if (frames.length === TOP_FRAMES) break;
  }
  return frames;
}

/** The class name (pg's DatabaseError is named "error"), or the name of a plain Error that was given one. */
function typeName(error: Error): string {
  const constructorName = error.constructor?.name;
  return constructorName && constructorName !== 'Error' ? constructorName : error.name || 'Error';
}

export function fingerprintError(error: unknown): ErrorFingerprint {
  const errorType = error instanceof Error ? typeName(error) : typeof error;
  const message = normaliseMessage(error instanceof Error ? error.message : String(error));
  const topFrames = inAppFrames(error instanceof Error ? error.stack : undefined);
  const fingerprint = createHash('sha256').update([errorType, message, ...topFrames].join('\n')).digest('hex').slice(0, 32);
  return { fingerprint, errorType, message, topFrames };
}
