import { SpanStatusCode } from '@opentelemetry/api';
import { BrokenCircuitError, ConsecutiveBreaker, TaskCancelledError, TimeoutStrategy, circuitBreaker, handleAll, timeout, wrap } from 'cockatiel';
import { LRUCache } from 'lru-cache';
import { logger } from '../../platform/observability/logger.ts';
import { tracer } from '../../platform/observability/tracing.ts';
import { integrationAdapterFailed, shippingQuoteCache } from './telemetry.ts';

export interface ShippingRequest {
  tenantId: string;
  country: string;
  postalCode: string;
  weightGrams: number;
  subtotalMinor: number;
  currency: string;
}

export interface ShippingRate {
  id: string;
  name: string;
  amount_minor: number;
  currency: string;
  source: string;
}

/** One place rates come from: a carrier API, or the store's own table. */
export interface RateSource {
  readonly name: string;
  /** The span of one call, e.g. `UPSAdapter.getRates`. */
  readonly spanName: string;
  getRates(request: ShippingRequest, signal: AbortSignal): Promise<ShippingRate[]>;
}

interface Band {
  maxGrams: number;
  amountMinor: number;
}
export interface Zone {
  id: string;
  countries: readonly string[] | '*';
  methods: { id: string; name: string; bands: Band[]; freeFromMinor?: number }[];
}

/** The embedded default rate table: domestic (US) and international zones, weight bands, free over a subtotal. */
export const DEFAULT_ZONES: Zone[] = [
  {
    id: 'domestic',
    countries: ['US'],
    methods: [
      { id: 'standard', name: 'Standard (3–5 days)', freeFromMinor: 10_000, bands: [{ maxGrams: 500, amountMinor: 500 }, { maxGrams: 2000, amountMinor: 900 }, { maxGrams: 20_000, amountMinor: 1800 }] },
      { id: 'express', name: 'Express (1–2 days)', bands: [{ maxGrams: 500, amountMinor: 1500 }, { maxGrams: 2000, amountMinor: 2500 }, { maxGrams: 20_000, amountMinor: 4500 }] },
    ],
  },
  {
    id: 'international',
    countries: '*',
    methods: [{ id: 'international', name: 'International (7–14 days)', bands: [{ maxGrams: 500, amountMinor: 1800 }, { maxGrams: 2000, amountMinor: 3500 }, { maxGrams: 20_000, amountMinor: 8000 }] }],
  },
];

/** Table rates by zone and weight band (and a free-shipping subtotal): never fails, so it is also the fallback. */
export class TableRateSource implements RateSource {
  readonly name = 'table';
  readonly spanName = 'TableRateAdapter.getRates';
  private readonly zones: Zone[];
  constructor(zones: Zone[] = DEFAULT_ZONES) {
    this.zones = zones;
  }

  async getRates(request: ShippingRequest): Promise<ShippingRate[]> {
    const zone = this.zones.find((candidate) => candidate.countries === '*' || candidate.countries.includes(request.country));
    if (!zone) return [];
    return zone.methods.flatMap((method) => {
      const band = method.bands.find((candidate) => request.weightGrams <= candidate.maxGrams);
      if (!band) return [];
      const free = method.freeFromMinor !== undefined && request.subtotalMinor >= method.freeFromMinor;
      return [{ id: `${zone.id}:${method.id}`, name: method.name, amount_minor: free ? 0 : band.amountMinor, currency: request.currency, source: this.name }];
    });
  }
}

/** A store's own rate table, with the revision its cached quotes are keyed by. */
export interface StoreTable {
  version: string;
  source: TableRateSource;
}

const QUOTE_TTL_MS = 15 * 60_000;
const log = logger('checkout.shipping');

/**
 * Quotes shipping from every external source (each behind a timeout and a circuit breaker), and from the table
 * when there is none or all of them fail. Quotes are cached 15 minutes per destination, weight and subtotal.
 */
export class ShippingRateAdapter {
  private readonly table: TableRateSource;
  private readonly external: { source: RateSource; policy: ReturnType<typeof wrap> }[];
  private readonly cache = new LRUCache<string, ShippingRate[]>({ max: 50_000, ttl: QUOTE_TTL_MS });

  constructor(table: TableRateSource, external: RateSource[] = [], options: { timeoutMs?: number; breakAfter?: number; halfOpenAfterMs?: number } = {}) {
    this.table = table;
    this.external = external.map((source) => ({
      source,
      policy: wrap(
        circuitBreaker(handleAll, { halfOpenAfter: options.halfOpenAfterMs ?? 30_000, breaker: new ConsecutiveBreaker(options.breakAfter ?? 5) }),
        timeout(options.timeoutMs ?? 2_000, TimeoutStrategy.Aggressive),
      ),
    }));
  }

  /** `storeTable`: the store's own rates in place of the default table (its version keys the cache, so a change applies at once). */
  quote(request: ShippingRequest, storeTable?: StoreTable): Promise<ShippingRate[]> {
    return tracer('checkout-orchestrator').startActiveSpan('ShippingRateAdapter.quote', async (span) => {
      try {
        const key = JSON.stringify([request.tenantId, storeTable?.version, request.country, request.postalCode, request.weightGrams, request.subtotalMinor, request.currency]);
        const cached = this.cache.get(key);
        span.setAttribute('shipping.cache_hit', cached !== undefined);
        shippingQuoteCache.inc({ result: cached ? 'hit' : 'miss' });
        if (cached) return cached;
        const rates = await this.fromSources(request, storeTable?.source ?? this.table);
        this.cache.set(key, rates);
        return rates;
      } finally {
        span.end();
      }
    });
  }

  private async fromSources(request: ShippingRequest, table: TableRateSource): Promise<ShippingRate[]> {
    const results = await Promise.all(this.external.map(({ source, policy }) => this.call(source, request, (fn) => policy.execute(({ signal }) => fn(signal)) as Promise<ShippingRate[]>)));
    const rates = results.flat();
    if (this.external.length > 0 && rates.length > 0) return rates;
    return this.call(table, request, (fn) => fn(new AbortController().signal));
  }

  private call(source: RateSource, request: ShippingRequest, run: (fn: (signal: AbortSignal) => Promise<ShippingRate[]>) => Promise<ShippingRate[]>): Promise<ShippingRate[]> {
    return tracer('checkout-orchestrator').startActiveSpan(source.spanName, async (span) => {
      try {
        return await run((signal) => source.getRates(request, signal));
      } catch (error) {
        const failureType = error instanceof BrokenCircuitError ? 'circuit_open' : error instanceof TaskCancelledError ? 'timeout' : 'error';
        integrationAdapterFailed.inc({ adapter: `shipping.${source.name}`, failure_type: failureType });
        log.warn({ err: error, adapter: source.name, failure_type: failureType }, 'shipping rate source failed; falling back to table rates');
        span.setStatus({ code: SpanStatusCode.ERROR, message: failureType });
        return [];
      } finally {
        span.end();
      }
    });
  }
}
