import { telemetry as database } from '../db/telemetry.ts';
import { telemetry as jobs } from '../jobs/telemetry.ts';
import type { Telemetry } from './alerting.ts';
import { telemetry as http } from './telemetry.ts';
import { telemetry as traceStore } from './trace-store/telemetry.ts';

/** The platform's own alerts, SLOs and panels; the modules' come with each `PlatformModule`. */
export const platformTelemetry: readonly { name: string; telemetry: Telemetry }[] = [
  { name: 'http', telemetry: http },
  { name: 'db', telemetry: database },
  { name: 'jobs', telemetry: jobs },
  { name: 'trace-store', telemetry: traceStore },
];
