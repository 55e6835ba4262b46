import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { EICAR, EICAR_SIGNATURE_NAME } from '../../../src/engine/sigdb/builtin-database.js';
import { MoatError } from '../../../src/core/errors.js';
import type { ScanInput, ScanNode, ScanOptions, ScanReport, Scanner, ScannerStats } from '../../../src/core/verdict.js';

/**
 * A Scanner for the agents' tests while the engine's `createScanner` is built in parallel:
 * it finds the built-in EICAR signature anywhere in the bytes (mail bodies carry it
 * unencoded in these tests). `mode` lets never-lose-mail tests make the engine fail or hang.
 * Tests that need the real engine import `loadRealScanner()` and skip when it is absent.
 */
export interface TestScannerControl {
  mode: 'normal' | 'fail' | 'hang';
  /** State reported for clean inputs whose text contains `MOAT-TEST-STATE:<state>`. */
}

async function bytesOf(input: ScanInput): Promise<Buffer> {
  if (input.kind === 'buffer') return Buffer.from(input.data);
  if (input.kind === 'file') return readFile(input.path);
  const chunks: Buffer[] = [];
  for await (const c of input.stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

export function createTestScanner(control: TestScannerControl = { mode: 'normal' }): Scanner & { control: TestScannerControl } {
  const counters: ScannerStats = { scans: 0, bytes: 0, detections: 0, errors: 0, cacheHits: 0, busyWorkers: 0, workers: 1, queued: 0, signatures: 1 };
  const eicar = Buffer.from(EICAR, 'latin1');
  return {
    control,
    dbVersion: 'daily:27500,moat-builtin:1',
    stats: () => ({ ...counters }),
    async close() {},
    async scan(input: ScanInput, options?: ScanOptions): Promise<ScanReport> {
      const started = Date.now();
      if (control.mode === 'fail') {
        counters.errors++;
        throw new MoatError('ENGINE_UNAVAILABLE', 'test engine failure');
      }
      if (control.mode === 'hang') {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 3_600_000);
          options?.signal?.addEventListener('abort', () => {
            clearTimeout(t);
            resolve();
          });
        });
        throw new MoatError('ABORTED', 'test engine hang aborted');
      }
      const data = await bytesOf(input);
      counters.scans++;
      counters.bytes += data.length;
      const text = data.toString('latin1');
      const forced = /MOAT-TEST-STATE:([a-z_]+)/.exec(text)?.[1] as ScanNode['state'] | undefined;
      const infected = data.includes(eicar);
      const detections = infected ? [EICAR_SIGNATURE_NAME] : [];
      if (options?.allMatch && infected && text.includes('MOAT-TEST-SECOND')) detections.push('Moat.Test.Second');
      counters.detections += detections.length;
      const root: ScanNode = {
        id: 0,
        parentId: null,
        depth: 0,
        type: 'CL_TYPE_ANY',
        name: input.name,
        size: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
        state: infected ? 'infected' : (forced ?? 'clean'),
        detections: detections.map((name) => ({ name, kind: 'signature' as const })),
        children: [],
      };
      return {
        verdict: infected ? 'infected' : forced && forced !== 'clean' ? 'not_scanned' : 'clean',
        detections,
        root,
        dbVersion: 'daily:27500,moat-builtin:1',
        durationMs: Date.now() - started,
        bytesScanned: data.length,
      };
    },
  };
}
