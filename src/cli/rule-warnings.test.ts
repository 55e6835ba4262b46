import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../core/config/load.js';
import { silentLogger } from '../core/logger.js';
import { main } from './main.js';
import { openSpamScorer } from '../daemon/spam-scorer-factory.js';

const RULES = `[[rule]]
name = "LOCAL_BULK"
score = 2
description = "bulk mailer"
field = "headers"
regex = "(massmail|bulk ?mailer|sendblaster)"
prefilter = "mail"
`;

test('rules that load but cannot work as written are in the daemon log at start and on config check\'s standard error (exit 0)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-rule-warn-'));
  const rules = join(dir, 'local.toml');
  await writeFile(rules, RULES);
  const file = join(dir, 'moat.toml');
  const text = `[global]\nstate_dir = "${join(dir, 'state')}"\n[antispam]\nauthentication = false\nrules = ["${rules}"]\n`;
  await writeFile(file, text);

  const logged: string[] = [];
  const logger = { ...silentLogger(), warn: (o: object, msg: string) => void logged.push(`${msg} ${JSON.stringify(o)}`) };
  const { store } = await openSpamScorer(loadConfig([{ file: 't.toml', text }]).config, logger, { readOnly: true, network: false });
  await store.close();
  assert.ok(logged.some((l) => /^anti-spam rule cannot work as written .*\(LOCAL_BULK\): the regex matches \\"sendblaster\\", which does not hold its prefilter \\"mail\\"/.test(l)), logged.join('\n'));

  const capture = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const stdout = capture();
  const stderr = capture();
  const code = await main(['config', 'check', '--config', file], { stdout: stdout.stream, stderr: stderr.stream, env: {} });
  const [out, err] = [stdout.text(), stderr.text()];
  assert.equal(code, 0);
  assert.match(err, /^warning: .*local\.toml: \[\[rule\]\] #1 \(LOCAL_BULK\): the regex matches "sendblaster"/m);
  assert.match(out, /configuration OK .*; \d+ anti-spam rules, 1 with warnings above/);
});
