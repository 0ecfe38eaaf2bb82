/**
 * The load generator of bench/listings, its own process so that its CPU is not the server's:
 * `node load.ts <origin> <host> <concurrency> <requests>` with the paths as JSON on stdin (taken round-robin).
 * Each request is timed with hrtime; prints one JSON document with the latency percentiles.
 */
import { Agent, request } from 'node:http';
import { text } from 'node:stream/consumers';

const [origin, host, concurrency, count] = process.argv.slice(2);
const paths = JSON.parse(await text(process.stdin)) as string[];
const { hostname, port } = new URL(origin!);
const total = Number(count);
const agent = new Agent({ keepAlive: true, maxSockets: Number(concurrency) });

/** node:http, since fetch may not set the Host header that names the store. */
const get = (path: string) =>
  new Promise<{ status: number; ms: number }>((resolve, reject) => {
    const started = process.hrtime.bigint();
    request({ host: hostname, port, path, agent, headers: { host: host!, 'accept-encoding': 'identity' } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    })
      .on('error', reject)
      .end();
  });

const times: number[] = [];
const failures: Record<string, number> = {};
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (next < total) {
      const { status, ms } = await get(paths[next++ % paths.length]!);
      times.push(ms);
      if (status !== 200) failures[status] = (failures[status] ?? 0) + 1;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
agent.destroy();
times.sort((a, b) => a - b);
const at = (p: number) => Math.round(times[Math.ceil(p * times.length) - 1]! * 100) / 100;
console.log(JSON.stringify({ requests: times.length, requests_per_s: Math.round(times.length / seconds), p50_ms: at(0.5), p95_ms: at(0.95), p99_ms: at(0.99), failures }));
