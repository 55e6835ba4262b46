/**
 * How `moat learn` / `moat classify` read an mbox: the stream reader they use now
 * (src/cli/mail-sources.ts → src/mail/mbox-stream.ts) against what they did before, the whole file
 * read and split at once (readFile + the engine's splitMbox), on the same generated file in the
 * same run. Each reader runs in its own process so its peak RSS is its own. Reading only: no
 * scoring (that is what `run.ts` measures).
 *
 *   node bin/moat-dev.js bench/antispam/mbox-read.ts [--mb 300] [--message-kb 10]
 */
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { open, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mailSourceItems } from '../../src/cli/mail-sources.js';
import { splitMbox } from '../../src/engine/unpack/mail/mbox-split.js';

const { values } = parseArgs({ options: { mb: { type: 'string' }, 'message-kb': { type: 'string' }, reader: { type: 'string' }, file: { type: 'string' } } });

/** Child mode: read the file with one reader, print messages, milliseconds and peak RSS. */
async function readWith(reader: string, file: string): Promise<void> {
  const started = performance.now();
  let messages = 0;
  let bytes = 0;
  if (reader === 'stream') {
    for await (const item of mailSourceItems(file)) {
      if (item.kind === 'message') {
        messages++;
        bytes += item.data.length;
      }
    }
  } else {
    for (const m of splitMbox(await readFile(file)) ?? []) {
      messages++;
      bytes += m.length;
    }
  }
  process.stdout.write(`${JSON.stringify({ messages, bytes, ms: Math.round(performance.now() - started), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
}

async function main(): Promise<void> {
  const mb = Number(values.mb ?? 300);
  const messageKb = Number(values['message-kb'] ?? 10);
  const dir = await mkdtemp(join(tmpdir(), 'moat-bench-mbox-'));
  const file = join(dir, 'bench.mbox');
  try {
    const line = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor\n';
    const body = line.repeat(Math.max(1, Math.round((messageKb * 1024) / line.length)));
    const handle = await open(file, 'w');
    let written = 0;
    for (let i = 0; written < mb * 1024 * 1024; i++) {
      const m = `From sender@example.org Mon Jan  1 00:00:00 2024\nFrom: a${i}@example.org\nSubject: message ${i}\n\n${body}\n`;
      await handle.write(m);
      written += m.length;
    }
    await handle.close();
    const self = fileURLToPath(import.meta.url);
    const devRunner = fileURLToPath(new URL('../../bin/moat-dev.js', import.meta.url));
    const rows = ['stream', 'whole-file'].map((reader) => {
      const r = spawnSync(process.execPath, [devRunner, self, '--reader', reader, '--file', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`${reader}: ${r.stderr}`);
      return { reader, ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as { messages: number; bytes: number; ms: number; maxRssMB: number }) };
    });
    process.stdout.write(`mbox: ${mb} MB, ~${messageKb} KB messages\n`);
    process.stdout.write('| reader | messages | time | peak RSS |\n|---|---|---|---|\n');
    const label: Record<string, string> = { stream: 'Moat now: stream (mail-sources)', 'whole-file': 'before: readFile + splitMbox' };
    for (const r of rows) process.stdout.write(`| ${label[r.reader]} | ${r.messages} | ${(r.ms / 1000).toFixed(1)} s | ${r.maxRssMB} MB |\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (values.reader && values.file) await readWith(values.reader, values.file);
else await main();
