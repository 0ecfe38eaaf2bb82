import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { consignment, consignorView } from '../consignment/index.ts';
import { csrfToken, type Html } from '../storefront/index.ts';
import { consignorOfSession } from './auth.ts';
import { cookieName, PATH, sendPage, tenantOf } from './http.ts';
import { overviewPage, payoutsPage, salesPage, statementsPage } from './money-pages.ts';
import { notificationsPage } from './notifications-page.ts';
import { portalShell, type Section } from './shell.ts';

const StatementParams = Type.Object(
  { id: Type.String({ format: 'uuid' }), format: Type.Union([Type.Literal('html'), Type.Literal('csv')]) },
  { additionalProperties: false },
);
const LIST_LIMIT = 200;

/** The signed-in consignor of this store's host, or null. */
export async function sessionConsignor(platform: Platform, request: FastifyRequest): Promise<string | null> {
  return consignorOfSession(platform, tenantOf(request).id, request.cookies[cookieName(request)]);
}

/**
 * The portal's data pages. Each resolves the session to one consignor of the host's store and reads only that
 * consignor's rows through consignment's consignor view; without a session it sends the visitor to sign in.
 */
export async function portalDataRoutes(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  const page = (path: string, section: Section, title: string, load: (trx: Tx, consignorId: string) => Promise<Html>) =>
    app.get(path, async (request, reply) => {
      const consignorId = await sessionConsignor(platform, request);
      if (!consignorId) return reply.redirect(`${PATH}/sign-in`, 303);
      const tenant = tenantOf(request);
      const { name, body } = await platform.db.withTenant(tenant.id, async (trx) => ({
        name: (await consignment.getConsignor(trx, tenant.id, consignorId))?.display_name ?? '',
        body: await load(trx, consignorId),
      }));
      return sendPage(platform, request, reply, title, portalShell(section, csrfToken(request, reply), name, body));
    });

  page(PATH, 'overview', 'Your consignments', async (trx, id) => overviewPage(await consignorView.balance(trx, id), await consignorView.sales(trx, id, 5)));
  page(`${PATH}/sales`, 'sales', 'Sales', async (trx, id) => salesPage(await consignorView.sales(trx, id, LIST_LIMIT)));
  page(`${PATH}/payouts`, 'payouts', 'Payouts', async (trx, id) => payoutsPage(await consignorView.payouts(trx, id, LIST_LIMIT)));
  page(`${PATH}/statements`, 'statements', 'Statements', async (trx, id) => statementsPage(await consignorView.statements(trx, id, LIST_LIMIT)));
  page(`${PATH}/notifications`, 'notifications', 'Notifications', async (trx, id) => notificationsPage(await consignorView.notifications(trx, id, LIST_LIMIT)));

  app.get(`${PATH}/statements/:id/:format`, { schema: { params: StatementParams } }, async (request, reply) => {
    const consignorId = await sessionConsignor(platform, request);
    if (!consignorId) return reply.redirect(`${PATH}/sign-in`, 303);
    const { id, format } = request.params;
    const document = await platform.db.withTenant(tenantOf(request).id, (trx) => consignorView.statementDocument(trx, consignorId, id, format));
    if (!document) throw new HttpProblem(404, 'Not Found', 'No such statement.');
    const month = document.period.slice(0, 7);
    reply.header('cache-control', 'private, no-store');
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="statement-${month}.csv"`).send(document.body);
    return reply.type('text/html; charset=utf-8').header('content-disposition', `inline; filename="statement-${month}.html"`).send(document.body);
  });
}
