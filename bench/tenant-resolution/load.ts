/**
 * The load generator, run as its own process so that it does not share the server's event loop:
 * `node load.ts <url> <seconds> <connections> <fixed|one-store|zipf> <tenants>`. Prints autocannon's summary as JSON.
 */
import autocannon from 'autocannon';
import { zipfSampler } from './zipf.ts';

const [url, seconds, connections, mode, tenants] = process.argv.slice(2);
const next = zipfSampler(Number(tenants), 1, 42);
const hostFor = (which: string | undefined) => (which === 'fixed' ? 'localhost' : which === 'one-store' ? 's1.localhost' : `s${next()}.localhost`);
const result = await autocannon({
  url: url!,
  duration: Number(seconds),
  connections: Number(connections),
  requests: [
    {
      path: '/bench',
      setupRequest: (request) => ({ ...request, headers: { ...request.headers, host: hostFor(mode) } }),
    },
  ],
});
console.log(
  JSON.stringify({
    requests: result.requests.total,
    requests_per_second: result.requests.average,
    latency_p50_ms: result.latency.p50,
    latency_p99_ms: result.latency.p99,
    non_2xx: result.non2xx,
    errors: result.errors,
  }),
);
