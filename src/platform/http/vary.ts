import type { FastifyReply } from 'fastify';

/**
 * Adds `field` to the response's Vary, keeping what others put there (CORS's Origin, the security headers'
 * Host): a route that set `vary` outright would drop them, and a shared cache would then keep one answer for
 * requests that differ.
 */
export function varyOn(reply: FastifyReply, field: string): FastifyReply {
  const current = reply.getHeader('vary');
  const fields = typeof current === 'string' ? current.split(',').map((item) => item.trim()).filter(Boolean) : [];
  if (!fields.some((item) => item.toLowerCase() === field.toLowerCase())) reply.header('vary', [...fields, field].join(', '));
  return reply;
}
