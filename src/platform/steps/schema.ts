import type { ColumnType, Generated, RawBuilder } from 'kysely';
import type { AuditColumns } from '../db/schema.ts';

type StampColumns = Omit<AuditColumns, 'created_at'>;

interface SagaRunsTable extends StampColumns {
  id: Generated<string>;
  tenant_id: string;
  saga: string;
  status: ColumnType<string, string | undefined, string>;
  failed_step: string | null;
  error_code: string | null;
  correlation_id: string | null;
  started_at: ColumnType<Date, never, never>;
  finished_at: ColumnType<Date | null, never, RawBuilder<unknown>>;
}

interface SagaStepsTable extends StampColumns {
  id: Generated<string>;
  tenant_id: string;
  run_id: string;
  step: string;
  action: 'run' | 'compensate';
  outcome: 'succeeded' | 'failed';
  output: ColumnType<unknown, string | null, never>;
  error: string | null;
  duration_ms: number;
  at: ColumnType<Date, never, never>;
}

declare module '../db/schema.ts' {
  interface Database {
    saga_runs: SagaRunsTable;
    saga_steps: SagaStepsTable;
  }
}
