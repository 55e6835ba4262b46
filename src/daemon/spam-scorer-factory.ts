import { Resolver } from 'node:dns/promises';
import type { MoatConfig } from '../core/config/schema.js';
import type { Logger } from '../core/logger.js';
import { loadRules } from '../antispam/load-rules.js';
import { createSpamScorer, type SymbolSource } from '../antispam/spam-scorer.js';
import type { BayesTokenStore } from '../antispam/bayes/token-store.js';
import { dnsblSource } from '../antispam/dnsbl.js';
import { moatAuthservId } from '../antispam/foreign-verdict.js';
import { authenticationSource } from '../antispam/authentication.js';
import { withCircuitBreaker } from '../antispam/dns-circuit-breaker.js';
import { openSqliteTokenStore } from '../storage/bayes/sqlite-token-store.js';
import { openRedisTokenStore } from '../storage/bayes/redis-token-store.js';
import { emptyTokenStore } from '../storage/bayes/empty-token-store.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MoatError } from '../core/errors.js';

/** One DNS attempt of 1.5 s: blocklists and SPF must not hold mail for long when DNS is sick. */
const DNS_TIMEOUT_MS = 1500;

/** Where a SQLite Bayes store is, and what to say when there is none there. */
const bayesFile = (config: MoatConfig) => join(config.global.state_dir, 'bayes.db');
const NO_STORE_HINT = 'nothing learned yet, or another --state-dir / [global] state_dir';

/**
 * The store for reading only (`moat classify`): when there is none, or it cannot be opened, the
 * message is scored without Bayes and the log says why, and nothing is created.
 */
function openStoreOrNone(config: MoatConfig, logger: Logger): BayesTokenStore {
  const file = bayesFile(config);
  if (config.antispam.bayes.backend === 'sqlite' && !existsSync(file)) {
    logger.warn({ file }, `no Bayes database here (${NO_STORE_HINT}): scoring without Bayes`);
    return emptyTokenStore(`${file} does not exist`);
  }
  try {
    return openBayesStore(config, { readOnly: true });
  } catch (err) {
    logger.warn({ file, err: (err as Error).message }, 'Bayes database cannot be read: scoring without Bayes');
    return emptyTokenStore((err as Error).message);
  }
}

/**
 * The configured Bayes store, or an error that says why there is none (`moat learn --export`,
 * where a silent empty stand-in would write an empty backup and call it done). Read-only, a
 * SQLite store must exist.
 */
export function openBayesStore(config: MoatConfig, options: { readOnly?: boolean; lockWaitMs?: number } = {}): BayesTokenStore {
  const b = config.antispam.bayes;
  if (b.backend === 'redis') return openRedisTokenStore(b.redis_url, b.redis_prefix, { maxLearned: b.max_learned });
  if (options.readOnly && !existsSync(bayesFile(config))) throw new MoatError('STORAGE', `no Bayes database at ${bayesFile(config)} (${NO_STORE_HINT})`);
  return openSqliteTokenStore(config.global.state_dir, { maxLearned: b.max_learned, readOnly: options.readOnly, lockWaitMs: options.lockWaitMs });
}

/** `127.0.0.1`, `127.0.0.1:5353`, `::1`, `[::1]:5353`: a DNS server on this host's loopback. */
const LOOPBACK_SERVER = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}(?::\d+)?|::1|\[::1\](?::\d+)?)$/;

/**
 * Tests use a local zone, never the internet: under the test runner (scripts/run-tests.mjs sets
 * MOAT_TEST=1, and the daemons and commands the tests start inherit it), DNS-based checks that
 * would ask the system's resolver (no `dns_servers`), or a server off this host, refuse to start,
 * so a test that forgot `dns_servers` fails instead of querying the internet. Outside tests: nothing.
 */
function refuseSystemResolverInTests(antispam: MoatConfig['antispam']): void {
  if (process.env.MOAT_TEST !== '1') return;
  const checks = [...(antispam.authentication ? ['authentication'] : []), ...(antispam.dnsbl.length ? ['dnsbl'] : [])];
  if (!checks.length) return;
  const servers = antispam.dns_servers;
  if (servers.length && servers.every((s) => LOOPBACK_SERVER.test(s))) return;
  throw new MoatError(
    'CONFIG_INVALID',
    `MOAT_TEST is set (a test run) and [antispam] ${checks.join(' and ')} would ask ${servers.length ? `DNS servers off this host (${servers.join(', ')})` : "the system's resolver (no dns_servers)"}: point [antispam] dns_servers at the test's own DNS server on loopback (test/e2e/harness/nsd.ts, rbldnsd.ts), or turn the check off`,
  );
}

/**
 * Builds the anti-spam scorer from configuration: rules, the configured Bayes token store and,
 * with `network`, authentication (SPF/DKIM/DMARC/ARC) and DNS blocklists.
 */
export async function openSpamScorer(config: MoatConfig, logger: Logger, options: { readOnly?: boolean; network?: boolean; lockWaitMs?: number } = {}) {
  if (options.network ?? true) refuseSystemResolverInTests(config.antispam);
  const rules = await loadRules(config.antispam.rules);
  for (const warning of rules.warnings) logger.warn({ rule: warning }, 'anti-spam rule cannot work as written');
  const store = options.readOnly ? openStoreOrNone(config, logger) : openBayesStore(config, { lockWaitMs: options.lockWaitMs });
  const sources: SymbolSource[] = [];
  if (options.network ?? true) {
    const resolver = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: 1 });
    if (config.antispam.dns_servers.length) resolver.setServers(config.antispam.dns_servers);
    // One breaker for all lookups: when the resolver is dead, every DNS-based check stops waiting.
    const resolve = withCircuitBreaker((name: string, type: string) => resolver.resolve(name, type as 'TXT') as Promise<unknown>, logger);
    if (config.antispam.authentication) sources.push(authenticationSource(resolve, moatAuthservId(config.antispam)));
    if (config.antispam.dnsbl.length) {
      // One breaker per zone, over the resolver itself: a list whose servers stop answering (while
      // the resolver answers everything else) costs a timeout on its first lookups, not on every
      // message. Its timeouts are its own: counted on the resolver's breaker, three of them (one
      // message with three relays) suspended every other list and authentication too. While that
      // breaker has the resolver for dead, the lists' lookups go to it, and it refuses them at once.
      const perZone = new Map(config.antispam.dnsbl.map(({ zone }) => [zone, withCircuitBreaker((name: string) => resolver.resolve(name, 'A'), logger, Date.now, `DNS blocklist ${zone} not answering: its lookups suspended`)]));
      sources.push(dnsblSource(config.antispam, (name, zone) => (resolve.suspended() ? (resolve(name, 'A') as Promise<string[]>) : perZone.get(zone)!(name))));
    }
  }
  const scorer = createSpamScorer({ config: config.antispam, rules, store, logger, readOnly: options.readOnly, sources });
  return { scorer, store, rules };
}
