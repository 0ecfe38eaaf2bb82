/**
 * The attackers, run as their own process by main.ts so that they do not share the server's event loop:
 * `node flood.ts <origin> <host>` with `{ emails, seconds, attackers }` on stdin. Each attacker has its own address
 * (X-Forwarded-For through the trusted loopback proxy) and sends wrong passwords back to back: half at real
 * accounts, half at random e-mails. Prints the response status counts as JSON.
 */
import http from 'node:http';
import { text } from 'node:stream/consumers';

const [origin, host] = process.argv.slice(2);
const { emails, seconds, attackers } = JSON.parse(await text(process.stdin)) as { emails: string[]; seconds: number; attackers: number };
const agent = new http.Agent({ keepAlive: true, maxSockets: attackers });
const statuses: Record<string, number> = {};

const attempt = (email: string, ip: string, i: number) =>
  new Promise<number>((resolve, reject) => {
    const payload = JSON.stringify({ email, password: `wrong-${i}-guess` });
    const request = http.request(`${origin}/auth/login`, {
      method: 'POST',
      agent,
      headers: { host, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-forwarded-for': ip },
    });
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end(payload);
  });

const until = Date.now() + seconds * 1000;
await Promise.all(
  Array.from({ length: attackers }, async (_, a) => {
    for (let i = 0; Date.now() < until; i++) {
      const email = a % 2 === 0 ? emails[i % emails.length]! : `nobody-${a}-${i}@flood.test`;
      const status = await attempt(email, `198.51.100.${a + 1}`, i);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }),
);
agent.destroy();
console.log(JSON.stringify(statuses));
