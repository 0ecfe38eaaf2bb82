import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import Type from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import { requireScopes } from '../../platform/http/auth.ts';
import { idempotent } from '../../platform/http/idempotency.ts';
import { decodeCursor, pageSchema, toPage } from '../../platform/http/pagination.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { currentContext } from '../../platform/observability/context.ts';
import type { Platform } from '../../platform/platform.ts';
import { withConsignorNames } from './consignor-summaries.ts';
import { withDeciderNames } from './decider-names.ts';
import { marketplaceOf, payoutServices, processPayoutRun, reconcile, writeStatements } from './ledger-jobs.ts';
import { balanceOf, listBalances, listEntries, postAdjustment } from './ledger.ts';
import {
  AdjustmentBody,
  BalanceView,
  BalancesQuery,
  CancelPayoutBody,
  CreateRunBody,
  DecisionBody,
  DiscrepancyView,
  EntryView,
  GenerateStatementsBody,
  HandoverBody,
  IdParams,
  LedgerQuery,
  NamedStatementView,
  NotificationView,
  OnboardingBody,
  OnboardingView,
  PayoutView,
  ReconcileBody,
  ReconciliationView,
  RunDetailView,
  RunView,
  RunsQuery,
  SettingsView,
  StatementFormatParams,
  StatementsQuery,
} from './ledger-schemas.ts';
import { listNotifications } from './notifications.ts';
import { cancelPayout, recordHandover, reopenRun } from './payout-processing.ts';
import { approvalsOfRun, decideRun, listRuns, loadRun, payoutsOfRun, proposePayoutRun, runNotFound } from './payout-runs.ts';
import { payoutSettings, savePayoutSettings } from './payout-settings.ts';
import { discrepanciesOf, listReconciliations } from './reconciliation.ts';
import { listStatements, statementDocument } from './statements.ts';

const P = '/admin/api/v1/consignment';
const tags = ['consignment'];
const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ description: 'Retries with the same key replay the first response.' })) });
const ENTRY_CURSOR = /^\d{1,19}$/;
const UUID_CURSOR = /^[0-9a-f-]{36}$/;
const RUN_CURSOR = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\|[0-9a-f-]{36}$/;

function tenantOf(request: FastifyRequest): string {
  if (!request.tenant) throw new HttpProblem(404, 'Not Found', 'The admin API is served on a store host.');
  return request.tenant.id;
}

const sameStore: preHandlerAsyncHookHandler = async (request) => {
  const principal = request.principal;
  if (principal && principal.kind !== 'platform' && principal.tenantId !== tenantOf(request)) throw new HttpProblem(403, 'Forbidden', 'The token belongs to another store.');
};
const guard = (...scopes: string[]) => [requireScopes(...scopes), sameStore];
/** The acting user as the tables' `created_by` stamps record it. */
const actor = (request: FastifyRequest) => currentContext()?.userId || request.principal?.subject || 'anonymous';

async function consignorExists(trx: Tx, id: string): Promise<{ id: string; email: string | null; display_name: string; stripe_account_id: string | null }> {
  const row = await trx.selectFrom('consignors').select(['id', 'email', 'display_name', 'stripe_account_id']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new HttpProblem(404, 'Not Found', 'No such consignor in this store.');
  return row;
}

/** The merchant's ledger, payout and statement API (consignment:read / consignment:write / payouts:approve). */
export async function ledgerRoutes(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = platform;
  const read = <T>(request: FastifyRequest, fn: (trx: Tx, tenantId: string) => Promise<T>) => {
    const tenantId = tenantOf(request);
    return db.withTenant(tenantId, (trx) => fn(trx, tenantId));
  };
  const write = async <T>(request: FastifyRequest, reply: FastifyReply, status: number, fn: (trx: Tx, tenantId: string) => Promise<T>) => {
    const tenantId = tenantOf(request);
    const result = await db.withTenant(tenantId, (trx) => idempotent(trx, tenantId, request, async () => ({ status, body: await fn(trx, tenantId) })));
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(result.status).send(result.body);
  };
  const canRead = guard('consignment:read');
  const canWrite = guard('consignment:write');
  const canApprove = guard('payouts:approve');
  const headers = IdempotencyHeaders;

  // Ledger and balances
  app.get(`${P}/ledger`, { preHandler: canRead, schema: { tags, querystring: LedgerQuery, response: { 200: pageSchema(EntryView) } } }, async (request) => {
    const limit = request.query.limit ?? 50;
    const before = decodeCursor(request.query.cursor, (key) => ENTRY_CURSOR.test(key));
    const rows = await read(request, (trx) => listEntries(trx, { consignorId: request.query.consignor_id, orderId: request.query.order_id, before, limit: limit + 1 }));
    return toPage(rows, limit, (row) => row.id);
  });

  app.get(`${P}/balances`, { preHandler: canRead, schema: { tags, querystring: BalancesQuery, response: { 200: pageSchema(BalanceView) } } }, async (request) => {
    const limit = request.query.limit ?? 50;
    const after = decodeCursor(request.query.cursor, (key) => UUID_CURSOR.test(key));
    const rows = await read(request, (trx) => listBalances(trx, { after, limit: limit + 1, payableOnly: request.query.payable_only }));
    return toPage(rows, limit, (row) => row.consignor_id);
  });

  app.get(`${P}/consignors/:id/balance`, { preHandler: canRead, schema: { tags, params: IdParams, response: { 200: BalanceView } } }, async (request) =>
    read(request, async (trx) => {
      await consignorExists(trx, request.params.id);
      return balanceOf(trx, request.params.id, (await payoutSettings(trx)).currency);
    }),
  );

  app.post(`${P}/adjustments`, { preHandler: canWrite, schema: { tags, headers, body: AdjustmentBody, response: { 201: EntryView } } }, async (request, reply) => {
    if (request.body.amount_minor === 0) throw new HttpProblem(400, 'Validation failed', 'The request has invalid fields.', { extensions: { errors: [{ field: 'body/amount_minor', message: 'must not be 0' }] } });
    const key = typeof request.headers['idempotency-key'] === 'string' ? request.headers['idempotency-key'] : randomUUID();
    return write(request, reply, 201, async (trx, tenantId) => {
      await consignorExists(trx, request.body.consignor_id);
      const { currency } = await payoutSettings(trx);
      return postAdjustment(trx, tenantId, { consignorId: request.body.consignor_id, amountMinor: request.body.amount_minor, currency, reason: request.body.reason, ticket: request.body.ticket, key });
    });
  });

  app.get(`${P}/consignors/:id/notifications`, { preHandler: canRead, schema: { tags, params: IdParams, response: { 200: Type.Object({ items: Type.Array(NotificationView) }) } } }, async (request) =>
    read(request, async (trx) => {
      await consignorExists(trx, request.params.id);
      const rows = await listNotifications(trx, request.params.id, 100);
      return { items: rows.map((row) => ({ ...row, created_at: row.created_at.toISOString(), sent_at: row.sent_at?.toISOString() ?? null })) };
    }),
  );

  // Payout settings
  app.get(`${P}/payout-settings`, { preHandler: canRead, schema: { tags, response: { 200: SettingsView } } }, async (request) => read(request, payoutSettings));
  app.put(`${P}/payout-settings`, { preHandler: guard('settings:write'), schema: { tags, headers, body: SettingsView, response: { 200: SettingsView } } }, async (request, reply) =>
    write(request, reply, 200, (trx, tenantId) => savePayoutSettings(trx, tenantId, request.body)),
  );

  // Payout onboarding (the consignor's connected account with the marketplace provider)
  app.post(`${P}/consignors/:id/payout-onboarding`, { preHandler: canWrite, schema: { tags, headers, params: IdParams, body: OnboardingBody, response: { 201: OnboardingView } } }, async (request, reply) =>
    write(request, reply, 201, async (trx, tenantId) => {
      const consignor = await consignorExists(trx, request.params.id);
      const marketplace = marketplaceOf(platform);
      let accountId = consignor.stripe_account_id;
      if (!accountId) {
        ({ accountId } = await marketplace.createAccount({ email: consignor.email, displayName: consignor.display_name, metadata: { tenant_id: tenantId, consignor_id: consignor.id } }, `connect-account:${consignor.id}`));
        await trx.updateTable('consignors').set({ stripe_account_id: accountId }).where('id', '=', consignor.id).execute();
      }
      const link = await marketplace.onboardingLink(accountId, { returnUrl: request.body.return_url, refreshUrl: request.body.refresh_url });
      return { account_id: accountId, url: link.url, expires_at: link.expiresAt.toISOString() };
    }),
  );

  // Payout runs
  app.get(`${P}/payout-runs`, { preHandler: canRead, schema: { tags, querystring: RunsQuery, response: { 200: pageSchema(RunView) } } }, async (request) => {
    const limit = request.query.limit ?? 25;
    const key = decodeCursor(request.query.cursor, (value) => RUN_CURSOR.test(value));
    const [createdAt, id] = key ? key.split('|') : [];
    const rows = await read(request, (trx) => listRuns(trx, { before: createdAt && id ? { createdAt, id } : undefined, limit: limit + 1 }));
    return toPage(rows, limit, (row) => `${row.created_at}|${row.id}`);
  });

  app.post(`${P}/payout-runs`, { preHandler: canWrite, schema: { tags, headers, body: CreateRunBody, response: { 201: RunView } } }, async (request, reply) =>
    write(request, reply, 201, async (trx, tenantId) => (await proposePayoutRun(trx, tenantId, 'on_demand'))!),
  );

  const runDetail = async (trx: Tx, tenantId: string, id: string) => {
    const run = await loadRun(trx, id);
    if (!run) throw runNotFound();
    return { run, payouts: await withConsignorNames(trx, tenantId, await payoutsOfRun(trx, id)), approvals: await approvalsOfRun(trx, id) };
  };

  app.get(`${P}/payout-runs/:id`, { preHandler: canRead, schema: { tags, params: IdParams, response: { 200: RunDetailView } } }, async (request) => {
    const detail = await read(request, (trx, tenantId) => runDetail(trx, tenantId, request.params.id));
    return { ...detail, approvals: await withDeciderNames(db, tenantOf(request), detail.approvals) };
  });

  app.post(`${P}/payout-runs/:id/decision`, { preHandler: canApprove, schema: { tags, headers, params: IdParams, body: DecisionBody, response: { 200: RunView } } }, async (request, reply) =>
    write(request, reply, 200, async (trx, tenantId) => {
      const run = await decideRun(trx, tenantId, request.params.id, { ...request.body, by: actor(request) });
      if (run.status === 'approved') await platform.jobs.enqueue(processPayoutRun, { run_id: run.id }, { trx, tenantId, jobKey: `payout-run:${run.id}` });
      return run;
    }),
  );

  app.post(`${P}/payout-runs/:id/resume`, { preHandler: canApprove, schema: { tags, headers, params: IdParams, body: CreateRunBody, response: { 202: RunView } } }, async (request, reply) =>
    write(request, reply, 202, async (trx, tenantId) => {
      await reopenRun(trx, request.params.id);
      await platform.jobs.enqueue(processPayoutRun, { run_id: request.params.id }, { trx, tenantId, jobKey: `payout-run:${request.params.id}` });
      return (await loadRun(trx, request.params.id))!;
    }),
  );

  app.post(`${P}/payouts/:id/handover`, { preHandler: canWrite, schema: { tags, headers, params: IdParams, body: HandoverBody, response: { 200: PayoutView } } }, async (request, reply) =>
    write(request, reply, 200, (trx, tenantId) => recordHandover(trx, payoutServices(platform), tenantId, request.params.id, request.body.reference)),
  );

  app.post(`${P}/payouts/:id/cancel`, { preHandler: canApprove, schema: { tags, headers, params: IdParams, body: CancelPayoutBody, response: { 200: PayoutView } } }, async (request, reply) =>
    write(request, reply, 200, (trx, tenantId) => cancelPayout(trx, tenantId, request.params.id, `${request.body.reason} (ticket ${request.body.ticket})`)),
  );

  // Statements
  app.get(`${P}/statements`, { preHandler: canRead, schema: { tags, querystring: StatementsQuery, response: { 200: Type.Object({ items: Type.Array(NamedStatementView) }) } } }, async (request) => ({
    items: await read(request, async (trx, tenantId) => withConsignorNames(trx, tenantId, await listStatements(trx, { consignorId: request.query.consignor_id, limit: request.query.limit ?? 50 }))),
  }));

  app.get(`${P}/statements/:id/:format`, { preHandler: canRead, schema: { tags, params: StatementFormatParams, produces: ['text/html', 'text/csv'] } }, async (request, reply) => {
    const document = await read(request, (trx) => statementDocument(trx, request.params.id, request.params.format));
    if (document === undefined) throw new HttpProblem(404, 'Not Found', 'No such statement in this store.');
    return reply
      .type(request.params.format === 'html' ? 'text/html; charset=utf-8' : 'text/csv; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(document);
  });

  app.post(`${P}/statements`, { preHandler: canWrite, schema: { tags, headers, body: GenerateStatementsBody, response: { 200: Type.Object({ written: Type.Integer() }) } } }, async (request, reply) =>
    write(request, reply, 200, async (trx, tenantId) => ({ written: await writeStatements(platform, trx, tenantId, request.body.period) })),
  );

  // Reconciliation
  app.get(`${P}/reconciliations`, { preHandler: canRead, schema: { tags, response: { 200: Type.Object({ items: Type.Array(ReconciliationView) }) } } }, async (request) => ({
    items: await read(request, (trx) => listReconciliations(trx, 60)),
  }));

  app.get(`${P}/reconciliations/:id/discrepancies`, { preHandler: canRead, schema: { tags, params: IdParams, response: { 200: Type.Object({ items: Type.Array(DiscrepancyView) }) } } }, async (request) => ({
    items: await read(request, (trx) => discrepanciesOf(trx, request.params.id)),
  }));

  app.post(`${P}/reconciliations`, { preHandler: canApprove, schema: { tags, headers, body: ReconcileBody, response: { 202: Type.Object({ enqueued: Type.Literal(true) }) } } }, async (request, reply) =>
    write(request, reply, 202, async (trx, tenantId) => {
      await platform.jobs.enqueue(reconcile, { day: request.body.day }, { trx, tenantId });
      return { enqueued: true as const };
    }),
  );
}
