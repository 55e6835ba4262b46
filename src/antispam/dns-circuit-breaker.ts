import type { Logger } from '../core/logger.js';

/** Consecutive timeouts after which DNS is considered down. */
const FAILURES_TO_OPEN = 3;
/** How long network checks are skipped once DNS is down, before one lookup probes again. */
const OPEN_MS = 60_000;
/** Errors meaning "the resolver did not answer", as opposed to an answer such as NXDOMAIN. */
const UNREACHABLE = new Set(['ETIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'EREFUSED', 'ESERVFAIL', 'ECANCELLED']);

/**
 * Wraps a DNS lookup so a dead resolver costs one timeout, not one per message: after a few
 * consecutive timeouts lookups fail at once for a minute (logged once), then one probe retries.
 * Checks that depend on DNS then add no symbol — mail keeps flowing at full speed.
 */
export function withCircuitBreaker<A extends unknown[], R>(
  lookup: (...args: A) => Promise<R>,
  logger: Logger,
  now: () => number = Date.now,
  what = 'DNS resolver unreachable: SPF/DKIM/DMARC and blocklist checks suspended',
): ((...args: A) => Promise<R>) & { suspended(): boolean } {
  let failures = 0;
  let openUntil = 0;
  const guarded = async (...args: A) => {
    if (now() < openUntil) throw Object.assign(new Error(`suspended: ${what}`), { code: 'ECANCELLED' });
    try {
      const r = await lookup(...args);
      failures = 0;
      return r;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (UNREACHABLE.has(code)) {
        failures++;
        if (failures >= FAILURES_TO_OPEN) {
          openUntil = now() + OPEN_MS;
          failures = 0;
          logger.warn({ code, seconds: OPEN_MS / 1000 }, what);
        }
      } else failures = 0;
      throw err;
    }
  };
  // For lookups that heed this breaker without counting against it (see openSpamScorer).
  return Object.assign(guarded, { suspended: () => now() < openUntil });
}
