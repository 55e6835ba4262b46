import { prependHeaders } from '../../../src/pipeline/header-rewrite.js';
import { readFile } from 'node:fs/promises';
import { MoatError } from '../../../src/core/errors.js';
import type { Scanner } from '../../../src/core/verdict.js';
import type { FinalAction, MessageSource, Outcome, Pipeline, RecipientOutcome, Transaction } from '../../../src/pipeline/types.js';

/**
 * A Pipeline for the agents' tests while src/pipeline is built in parallel. It does what the
 * agents rely on: scan with the given Scanner, act per recipient, rewrite by adding a header
 * at the top. Recipients whose local part names an action (`discard@`, `reject@`, `defer@`)
 * get that action for infected mail; `mode` makes the whole pipeline fail or hang mid-message
 * for never-lose-mail tests.
 */
export interface TestPipelineControl {
  mode: 'normal' | 'fail' | 'hang';
  infectedAction: FinalAction;
  /** Transactions seen, for assertions. */
  seen: Transaction[];
  /** Called when a hanging process starts (tests kill or abort then). */
  onHang?: () => void;
}

async function bytesOf(m: MessageSource): Promise<Buffer> {
  return m.kind === 'buffer' ? m.data : readFile(m.path);
}

export function createTestPipeline(scanner: Scanner, control: Partial<TestPipelineControl> = {}): Pipeline & { control: TestPipelineControl } {
  const c: TestPipelineControl = { mode: 'normal', infectedAction: 'reject', seen: [], ...control };
  return {
    control: c,
    async process(tx: Transaction, signal?: AbortSignal): Promise<Outcome> {
      c.seen.push(tx);
      if (c.mode === 'fail') throw new MoatError('ENGINE_UNAVAILABLE', 'test pipeline failure');
      if (c.mode === 'hang') {
        c.onHang?.();
        await new Promise<void>((resolve) => {
          if (signal?.aborted) return resolve();
          const t = setTimeout(resolve, 3_600_000);
          signal?.addEventListener('abort', () => {
            clearTimeout(t);
            resolve();
          });
        });
        throw new MoatError('ABORTED', 'test pipeline aborted');
      }
      const data = await bytesOf(tx.message);
      const delay = /MOAT-TEST-DELAY-MS:(\d+)/.exec(data.toString('latin1'));
      if (delay) await new Promise((r) => setTimeout(r, Number(delay[1])));
      const report = await scanner.scan({ kind: 'buffer', data }, { signal, isMail: true });
      const verdict = report.verdict;
      const groups = new Map<FinalAction, string[]>();
      for (const rcpt of tx.envelope.rcptTo) {
        const local = rcpt.split('@')[0]!.toLowerCase();
        let action: FinalAction = 'accept';
        if (verdict === 'infected') action = (['discard', 'reject', 'defer', 'accept'] as const).find((a) => local === a) ?? c.infectedAction;
        else if (verdict === 'not_scanned') action = 'defer';
        groups.set(action, [...(groups.get(action) ?? []), rcpt]);
      }
      if (tx.envelope.rcptTo.length === 0) groups.set(verdict === 'infected' ? c.infectedAction : 'accept', []);
      const header = { name: 'X-Moat-Scanned', value: `${verdict}; ${tx.agent}` };
      const out: RecipientOutcome[] = [...groups].map(([action, recipients]) => {
        const g: RecipientOutcome = { recipients, action, addHeaders: [], bodyReplaced: false };
        if (action === 'reject') g.reply = { code: 550, enhanced: '5.7.1', text: `Message rejected: infected with ${report.detections[0]}` };
        if (action === 'defer') g.reply = { code: 451, enhanced: '4.7.1', text: 'Message could not be scanned, try again later' };
        if (action === 'accept') {
          g.addHeaders = [header];
          // As the real pipeline adds its fields (after an mbox envelope line, when there is one).
          g.message = { kind: 'buffer', data: prependHeaders(data, [header]) };
        }
        return g;
      });
      return { transactionId: tx.id, groups: out, summary: `${verdict} ${report.detections.join(',')}` };
    },
  };
}
