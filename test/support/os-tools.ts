import { execFileSync } from 'node:child_process';

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
