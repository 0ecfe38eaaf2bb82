import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { consignment, consignorView } from '../consignment/index.ts';
import { csrfToken, type Html, verifyCsrf } from '../storefront/index.ts';
import { consignorOfSession } from './auth.ts';
import { cookieName, PATH, sendPage, tenantOf } from './http.ts';
import { itemsPage } from './items-page.ts';
import { overviewPage, payoutsPage, salesPage, statementsPage } from './money-pages.ts';
import { notificationsPage } from './notifications-page.ts';
import { PROPOSAL_ROWS, type ProposalErrors, type ProposalForm, proposalsPage, readProposal } from './proposals-page.ts';
import { portalShell, type Section } from './shell.ts';

const StatementParams = Type.Object(
  { id: Type.String({ format: 'uuid' }), format: Type.Union([Type.Literal('html'), Type.Literal('csv')]) },
  { additionalProperties: false },
);
const LIST_LIMIT = 200;
const Text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const ProposalBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 100 }),
    note: Text(2000),
    ...Object.fromEntries(Array.from({ length: PROPOSAL_ROWS }, (_, index) => [[`title_${index}`, Text(300)], [`price_${index}`, Text(20)], [`description_${index}`, Text(2000)]]).flat()),
  },
  { additionalProperties: false },
);

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

  page(PATH, 'overview', 'Your consignments', async (trx, id) =>
    overviewPage(await consignorView.balance(trx, id), await consignorView.sales(trx, id, 5), (await consignorView.items(trx, id, LIST_LIMIT)).filter((item) => item.status === 'on_floor').length),
  );
  page(`${PATH}/items`, 'items', 'Items', async (trx, id) => itemsPage(await consignorView.items(trx, id, LIST_LIMIT)));
  page(`${PATH}/sales`, 'sales', 'Sales', async (trx, id) => salesPage(await consignorView.sales(trx, id, LIST_LIMIT)));
  page(`${PATH}/payouts`, 'payouts', 'Payouts', async (trx, id) => payoutsPage(await consignorView.payouts(trx, id, LIST_LIMIT)));
  page(`${PATH}/statements`, 'statements', 'Statements', async (trx, id) => statementsPage(await consignorView.statements(trx, id, LIST_LIMIT)));
  page(`${PATH}/notifications`, 'notifications', 'Notifications', async (trx, id) => notificationsPage(await consignorView.notifications(trx, id, LIST_LIMIT)));

  const proposalsBody = async (trx: Tx, consignorId: string, csrf: string, form?: ProposalForm, errors?: ProposalErrors, sent = false) =>
    proposalsPage(await consignorView.proposals(trx, consignorId, LIST_LIMIT), csrf, await consignorView.storeCurrency(trx), form, errors, sent);

  app.get(`${PATH}/proposals`, { schema: { querystring: Type.Object({ sent: Type.Optional(Type.Literal('1')) }, { additionalProperties: false }) } }, async (request, reply) => {
    const consignorId = await sessionConsignor(platform, request);
    if (!consignorId) return reply.redirect(`${PATH}/sign-in`, 303);
    const tenant = tenantOf(request);
    const csrf = csrfToken(request, reply);
    const { name, body } = await platform.db.withTenant(tenant.id, async (trx) => ({
      name: (await consignment.getConsignor(trx, tenant.id, consignorId))?.display_name ?? '',
      body: await proposalsBody(trx, consignorId, csrf, {}, {}, request.query.sent === '1'),
    }));
    return sendPage(platform, request, reply, 'Propose items', portalShell('proposals', csrf, name, body));
  });

  app.post(`${PATH}/proposals`, { schema: { body: ProposalBody } }, async (request, reply) => {
    const consignorId = await sessionConsignor(platform, request);
    if (!consignorId) return reply.redirect(`${PATH}/sign-in`, 303);
    // The schema names every field; its type is built from the rows, so it is read here as the strings it holds.
    const { _csrf, ...form } = request.body as { _csrf: string } & ProposalForm;
    verifyCsrf(request, _csrf);
    const tenant = tenantOf(request);
    const { items, errors } = readProposal(form);
    if (Object.keys(errors).length === 0) {
      const note = form.note?.trim();
      await platform.db.withTenant(tenant.id, (trx) => consignorView.propose(trx, tenant.id, consignorId, { ...(note ? { note } : {}), items }));
      return reply.redirect(`${PATH}/proposals?sent=1`, 303);
    }
    const { name, body } = await platform.db.withTenant(tenant.id, async (trx) => ({
      name: (await consignment.getConsignor(trx, tenant.id, consignorId))?.display_name ?? '',
      body: await proposalsBody(trx, consignorId, _csrf, form, errors),
    }));
    return sendPage(platform, request, reply, 'Propose items', portalShell('proposals', _csrf, name, body), 400);
  });

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
