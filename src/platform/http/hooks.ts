import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A hook's work: a promise only when it must wait (a database round trip), nothing when it answers at once. A step
 * that replies returns the reply (or a promise of it): the reply settles once sent, and only then can the chain
 * tell it has ended (an async onSend hook may still hold it after `send`).
 */
export type HookStep = (request: FastifyRequest, reply: FastifyReply) => undefined | FastifyReply | PromiseLike<unknown>;

/**
 * Runs a step in a callback hook, so a request whose step answers at once creates no promise and waits for no
 * microtask (an async hook costs both on every request). A step that sent the reply ends the hook chain.
 */
export function runStep(step: HookStep, request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
  let pending: ReturnType<HookStep>;
  try {
    pending = step(request, reply);
  } catch (error) {
    done(error as Error);
    return;
  }
  if (pending) pending.then(() => reply.sent || done(), done);
  else if (!reply.sent) done();
}
