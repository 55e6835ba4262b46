import { Resolver } from 'node:dns/promises';
import { hostname } from 'node:os';
import type { MoatConfig } from '../core/config/schema.js';
import type { Logger } from '../core/logger.js';
import { loadRules } from '../antispam/load-rules.js';
import { createSpamScorer, type SymbolSource } from '../antispam/spam-scorer.js';
import type { BayesTokenStore } from '../antispam/bayes/token-store.js';
import { dnsblSource } from '../antispam/dnsbl.js';
import { authenticationSource } from '../antispam/authentication.js';
import { withCircuitBreaker } from '../antispam/dns-circuit-breaker.js';
import { openSqliteTokenStore } from '../storage/bayes/sqlite-token-store.js';
import { openRedisTokenStore } from '../storage/bayes/redis-token-store.js';

/** One DNS attempt of 1.5 s: blocklists and SPF must not hold mail for long when DNS is sick. */
const DNS_TIMEOUT_MS = 1500;

/**
 * Builds the anti-spam scorer from configuration: rules, the configured Bayes token store and,
 * with `network`, authentication (SPF/DKIM/DMARC/ARC) and DNS blocklists.
 */
export async function openSpamScorer(config: MoatConfig, logger: Logger, options: { readOnly?: boolean; network?: boolean } = {}) {
  const rules = await loadRules(config.antispam.rules);
  const b = config.antispam.bayes;
  const limits = { maxLearned: b.max_learned };
  const store: BayesTokenStore = b.backend === 'redis' ? openRedisTokenStore(b.redis_url, b.redis_prefix, limits) : openSqliteTokenStore(config.global.state_dir, limits);
  const sources: SymbolSource[] = [];
  if (options.network ?? true) {
    const resolver = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: 1 });
    if (config.antispam.dns_servers.length) resolver.setServers(config.antispam.dns_servers);
    // One breaker for all lookups: when the resolver is dead, every DNS-based check stops waiting.
    const resolve = withCircuitBreaker((name: string, type: string) => resolver.resolve(name, type as 'TXT') as Promise<unknown>, logger);
    if (config.antispam.authentication) sources.push(authenticationSource(resolve, hostname()));
    if (config.antispam.dnsbl.length) sources.push(dnsblSource(config.antispam, (name) => resolve(name, 'A') as Promise<string[]>));
  }
  const scorer = createSpamScorer({ config: config.antispam, rules, store, logger, readOnly: options.readOnly, sources });
  return { scorer, store, rules };
}
