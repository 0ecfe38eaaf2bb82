import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const runFile = promisify(execFile);

/** The Debian package of each OS command a test runs; `scripts/install-os-packages.sh` installs them all. */
const PACKAGE_OF: Record<string, string> = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  'prometheus-postgres-exporter': 'prometheus-postgres-exporter',
  chromium: 'chromium',
  ffmpeg: 'ffmpeg',
  ffprobe: 'ffmpeg',
  kubectl: 'kubectl',
  shellcheck: 'shellcheck',
};

/**
 * The absolute path of an OS command a test needs; when it is missing, an error naming the package to install
 * (instead of a bare `spawnSync … ENOENT`).
 */
export function requireTool(command: string): string {
  try {
    return execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' }).trim();
  } catch {
    const pkg = PACKAGE_OF[command] ?? command;
    throw new Error(`This test needs \`${command}\`, which is not installed: install the Debian package \`${pkg}\` (sudo scripts/install-os-packages.sh installs every package the tests need).`);
  }
}

/** Chromium for browser tests: CHROMIUM_PATH, or the OS package's. */
export const chromiumPath = () => process.env.CHROMIUM_PATH ?? requireTool('chromium');

/** The launch arguments for headless Chromium on a machine without network or GPU. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Runs an OS tool to its end (a non-zero exit is returned, not thrown); a missing tool fails naming its package. */
export async function osTool(tool: string, args: readonly string[], options: { cwd?: string } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  const path = requireTool(tool);
  try {
    const { stdout, stderr } = await runFile(path, args, { cwd: options.cwd, maxBuffer: 16 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string; code?: number | string };
    return { stdout: failure.stdout ?? '', stderr: failure.stderr ?? '', code: typeof failure.code === 'number' ? failure.code : 1 };
  }
}
