import { type ChildProcess, spawn } from 'node:child_process';
import { httpGet } from './http.ts';

export interface MainProcess {
  child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Runs `node src/main.ts` with APP_ROLE=<role> and waits until /q/health/ready answers 200 (or fails with its output). */
export async function startMainProcess(role: string, port: number, env: NodeJS.ProcessEnv): Promise<MainProcess> {
  const child = spawn(process.execPath, ['src/main.ts'], { env: { ...process.env, APP_ROLE: role, PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  // Starting the embedded PostgreSQL, migrating and seeding takes seconds alone and far longer on a loaded CI machine.
  const deadline = Date.now() + 75_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const ready = await httpGet(port, '/q/health/ready', { 'x-request-id': 'main-ready' }).then((r) => r.status === 200, () => false);
    if (ready) {
      return {
        child,
        output: () => output,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`src/main.ts ${role} did not become ready:\n${output}`);
}

/** Runs a command to its end (or kills it after `timeoutMs`) and returns its exit code and output. */
export async function runToExit(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  return { code, output };
}
