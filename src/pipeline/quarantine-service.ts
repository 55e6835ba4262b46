import { MoatError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { SpamScorer } from '../antispam/types.js';
import type { QuarantineEntry, QuarantineStore } from './stores.js';
import type { Envelope } from './types.js';

/** Re-injects a message with its envelope (SMTP to the MTA's re-injection listener). Rejects when not accepted. */
export type Deliver = (envelope: Envelope, message: Buffer) => Promise<void>;

export type ReleaseResult =
  | { status: 'released'; entry: QuarantineEntry; recipients: string[]; /** Set when `asHam` learning failed after the delivery succeeded. */ learnError?: string }
  | { status: 'already'; entry: QuarantineEntry };

/**
 * Quarantine operations. Release is exactly-once: the durable held → releasing transition is
 * atomic, so a second or concurrent release finds the entry not held and delivers nothing; a
 * failed delivery puts the entry back to held for a retry. (If the process dies between delivery
 * and the final mark, the entry stays `releasing` and is not re-sent automatically: at most once.)
 */
export function createQuarantineService(deps: {
  store: QuarantineStore;
  deliver: Deliver;
  spamScorer?: SpamScorer;
  logger: Logger;
  now?: () => Date;
  /** The stored original as Moat passes mail on (a sender's forged verdict fields removed); learning uses the original. */
  passedOn?: (original: Buffer) => Buffer;
}) {
  const now = deps.now ?? (() => new Date());
  const require = (id: string): QuarantineEntry => {
    const entry = deps.store.get(id);
    if (!entry) throw new MoatError('QUARANTINE_NOT_FOUND', `no quarantined message with id ${id}`);
    return entry;
  };
  return {
    list: (options: { limit?: number } = {}) => deps.store.list({ limit: options.limit ?? 100 }),
    show: async (id: string) => ({ entry: require(id), message: await deps.store.readMessage(id) }),
    async release(id: string, options: { asHam?: boolean } = {}): Promise<ReleaseResult> {
      const entry = require(id);
      if (!deps.store.beginRelease(id)) return { status: 'already', entry: require(id) };
      const recipients = entry.recipients.length ? entry.recipients : entry.envelope.rcptTo;
      let message: Buffer;
      try {
        message = await deps.store.readMessage(id);
        await deps.deliver({ mailFrom: entry.envelope.mailFrom, rcptTo: recipients }, deps.passedOn ? deps.passedOn(message) : message);
        deps.store.finishRelease(id, recipients, now());
        deps.logger.info({ quarantineId: id, recipients }, 'quarantined message released');
      } catch (err) {
        deps.store.abortRelease(id);
        throw err instanceof MoatError ? err : new MoatError('NEXT_HOP_TEMPFAIL', `release of ${id} failed: ${(err as Error).message}`, {}, { cause: err });
      }
      // The message is delivered: a learning failure (Bayes store down) is reported, not turned into a failed release.
      if (options.asHam && deps.spamScorer) {
        try {
          await deps.spamScorer.learn(message, 'ham');
        } catch (err) {
          deps.logger.warn({ quarantineId: id, err: (err as Error).message }, 'released, but learning it as ham failed');
          return { status: 'released', entry: require(id), recipients, learnError: (err as Error).message };
        }
      }
      return { status: 'released', entry: require(id), recipients };
    },
    delete(id: string): boolean {
      require(id);
      return deps.store.delete(id);
    },
    expire: (olderThanDays: number) => deps.store.expire(new Date(now().getTime() - olderThanDays * 86_400_000)),
  };
}

export type QuarantineService = ReturnType<typeof createQuarantineService>;
