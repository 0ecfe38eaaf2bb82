import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { type HookStep, runStep } from './hooks.ts';

/** An app whose onSend hook is async (as a plugin's may be), so a sent reply has not ended when the step returns. */
async function appWith(step: HookStep) {
  const app = Fastify();
  let handled = 0;
  app.addHook('onSend', async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
  });
  app.addHook('onRequest', (request, reply, done) => runStep(step, request, reply, done));
  app.get('/', async () => {
    handled++;
    return 'from the handler';
  });
  await app.ready();
  return { app, handled: () => handled };
}

describe('runStep', () => {
  it('ends the hook chain when the step replied at once, even while the reply is still being sent', async () => {
    const { app, handled } = await appWith((_request, reply) => reply.code(404).send('from the step'));
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(404);
    expect(response.body).toBe('from the step');
    expect(handled()).toBe(0);
    await app.close();
  });

  it('ends the hook chain when the step replied after waiting', async () => {
    const { app, handled } = await appWith((_request, reply) => Promise.resolve().then(() => reply.code(404).send('from the step')));
    const response = await app.inject({ url: '/' });
    expect(response.body).toBe('from the step');
    expect(handled()).toBe(0);
    await app.close();
  });

  it('goes on to the handler when the step did not reply, at once or after waiting', async () => {
    for (const step of [() => undefined, () => Promise.resolve()] satisfies HookStep[]) {
      const { app, handled } = await appWith(step);
      expect((await app.inject({ url: '/' })).body).toBe('from the handler');
      expect(handled()).toBe(1);
      await app.close();
    }
  });

  it('answers an error the step throws or rejects with', async () => {
    for (const step of [() => { throw new Error('thrown'); }, () => Promise.reject(new Error('rejected'))] satisfies HookStep[]) {
      const { app, handled } = await appWith(step);
      expect((await app.inject({ url: '/' })).statusCode).toBe(500);
      expect(handled()).toBe(0);
      await app.close();
    }
  });
});
