/**
 * The load generator, run as its own process by main.ts so that it does not share an event loop with the
 * server: `node load.ts <origin> <host>` with the scenarios as JSON on stdin. Prints one JSON document of autocannon results.
 */
import { text } from 'node:stream/consumers';
import autocannon, { type Request } from 'autocannon';

interface Scenario {
  name: string;
  /** Paths to request; each request picks the next one round-robin. */
  paths: string[];
}

const [origin, host] = process.argv.slice(2);
const scenarios = JSON.parse(await text(process.stdin)) as Scenario[];
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);

const results: Record<string, unknown> = {};
for (const scenario of scenarios) {
  let next = 0;
  const result = await autocannon({
    url: origin!,
    connections: 10,
    duration: DURATION,
    // BENCH_AUTHORIZATION: a bearer token, for scenarios of signed-in pages.
    headers: { host: host!, ...(process.env.BENCH_AUTHORIZATION ? { authorization: process.env.BENCH_AUTHORIZATION } : {}) },
    requests: [
      {
        setupRequest: (request: Request) => {
          request.path = scenario.paths[next++ % scenario.paths.length]!;
          return request;
        },
      },
    ],
  });
  results[scenario.name] = {
    requests_per_second: Math.round(result.requests.average),
    latency_ms: { p50: result.latency.p50, p90: result.latency.p90, p97_5: result.latency.p97_5, p99: result.latency.p99 },
    non_2xx: result.non2xx,
    errors: result.errors,
    duration_s: DURATION,
  };
}
console.log(JSON.stringify(results));
