import { Resolver } from 'node:dns/promises';

/** TXT lookups for custom-domain verification. */
export interface TxtResolver {
  /** The TXT records of `name`, each joined from its character strings; [] when the name or record is absent. */
  resolveTxt(name: string): Promise<string[]>;
}

const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/** The real wire protocol through node:dns, on the system's servers or the given `ip[:port]` ones. */
export function dnsTxtResolver(servers?: string[]): TxtResolver {
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  if (servers) resolver.setServers(servers);
  return {
    async resolveTxt(name) {
      try {
        return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
      } catch (error) {
        if (ABSENT.has((error as NodeJS.ErrnoException).code ?? '')) return [];
        throw error;
      }
    },
  };
}

/**
 * The offline default (dev, tests, embedded): a zone held in memory, empty unless records are published into
 * it, so nothing leaves the machine and no domain verifies by accident.
 */
export function offlineTxtResolver(records: Map<string, string[]> = new Map()): TxtResolver & { publish(name: string, value: string): void } {
  return {
    async resolveTxt(name) {
      return records.get(name.toLowerCase()) ?? [];
    },
    publish(name, value) {
      records.set(name.toLowerCase(), [...(records.get(name.toLowerCase()) ?? []), value]);
    },
  };
}

/** From the DNS_RESOLVER setting: `system`, `offline`, or a comma-separated list of servers. */
export function txtResolverFromSetting(setting: string): TxtResolver {
  if (setting === 'offline') return offlineTxtResolver();
  if (setting === 'system') return dnsTxtResolver();
  return dnsTxtResolver(setting.split(',').map((server) => server.trim()));
}
