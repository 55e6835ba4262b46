import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_MESSAGE_BYTES, mailSourceItems, type MailSourceItem } from './mail-sources.js';

const MSG = (n: number) => `From: a${n}@example.org\nSubject: m${n}\n\nbody ${n}\n`;

async function collect(path: string, stdin?: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of mailSourceItems(path, stdin)) out.push(describe(item));
  return out;
}
function describe(item: MailSourceItem): string {
  if (item.kind === 'message') return `message ${item.path} ${JSON.stringify(item.data.toString())}`;
  if (item.kind === 'skipped') return `skipped ${item.path}: ${item.reason}`;
  return `error ${item.path}: ${item.error.split(':')[0]}`;
}

test('a tree of mail: Maildir tmp/ and the store\'s own files left out, Maildir++ folders and what is not mail said, loops and dangling links survived', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-sources-'));
  try {
    const md = join(dir, 'md');
    for (const sub of ['cur', 'new', 'tmp', '.Spam/cur']) await mkdir(join(md, sub), { recursive: true });
    await writeFile(join(md, 'cur', '1.host:2,S'), MSG(1));
    await writeFile(join(md, 'new', '2.host'), MSG(2));
    await writeFile(join(md, 'tmp', '3.host'), MSG(3));
    await writeFile(join(md, '.Spam', 'cur', '4.host:2,S'), MSG(4));
    for (const f of ['dovecot-uidlist', 'dovecot.index.cache', 'subscriptions', 'maildirfolder']) await writeFile(join(md, f), 'V1 1\n');
    await writeFile(join(dir, 'binary.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    await writeFile(join(dir, 'empty.eml'), '');
    await symlink('..', join(md, 'cur', 'up'));
    await symlink('/nonexistent/moat', join(dir, 'dangling'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    assert.deepEqual(await collect(dir), [
      `skipped ${join(dir, 'binary.gz')}: not a mail message (no header line at the start)`,
      `error ${join(dir, 'dangling')}: ENOENT`,
      `skipped ${join(dir, 'empty.eml')}: empty file`,
      `skipped ${join(dir, 'fifo')}: not a regular file (FIFO, socket or device)`,
      `skipped ${join(md, '.Spam')}: Maildir++ folder or hidden directory: give it as a path to read it`,
      `message ${join(md, 'cur', '1.host:2,S')} ${JSON.stringify(MSG(1))}`,
      `skipped ${join(md, 'cur', 'up')}: directory already read (a symbolic link loop)`,
      `message ${join(md, 'new', '2.host')} ${JSON.stringify(MSG(2))}`,
    ]);
    assert.deepEqual(await collect(join(md, '.Spam')), [`message ${join(md, '.Spam', 'cur', '4.host:2,S')} ${JSON.stringify(MSG(4))}`], 'a Maildir++ folder given as a path is read');
    assert.deepEqual(await collect(join(dir, 'nothing-here')), [`error ${join(dir, 'nothing-here')}: ENOENT`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an mbox (file or standard input) gives each message as its own file would be, so learning both counts once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-sources-'));
  try {
    const mbox = `From x@example.org Mon Jan  1 00:00:00 2002\n${MSG(1)}\nFrom x@example.org Mon Jan  1 00:00:00 2002\n${MSG(2).replace('body', 'From Alice, see you at 10:30\nbody')}\n`;
    await writeFile(join(dir, 'box'), mbox);
    const want = (p: string) => [`message ${p}#1 ${JSON.stringify(MSG(1))}`, `message ${p}#2 ${JSON.stringify(MSG(2).replace('body', 'From Alice, see you at 10:30\nbody'))}`];
    assert.deepEqual(await collect(join(dir, 'box')), want(join(dir, 'box')));
    const stdin = (async function* () { yield Buffer.from(mbox.slice(0, 10)); yield Buffer.from(mbox.slice(10)); })();
    assert.deepEqual(await collect('-', stdin), want('-'));
    assert.deepEqual(await collect('-', (async function* () { yield Buffer.from(MSG(3)); })()), [`message - ${JSON.stringify(MSG(3))}`]);
    assert.deepEqual(await collect('-', (async function* () {})()), ['skipped -: empty input']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a file over the message limit is not read into memory: a message is skipped with its size, an mbox is streamed and its oversized message skipped', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-sources-big-'));
  try {
    // Sparse files: the size is real, the disk use is not.
    await writeFile(join(dir, 'big.eml'), 'From: a@example.org\nSubject: big\n\n');
    await truncate(join(dir, 'big.eml'), MAX_MESSAGE_BYTES + 1);
    await writeFile(join(dir, 'big.mbox'), `From x@example.org Mon Jan  1 00:00:00 2002\nSubject: big\n\n`);
    await truncate(join(dir, 'big.mbox'), MAX_MESSAGE_BYTES + 100);
    assert.deepEqual(await collect(dir), [
      `skipped ${join(dir, 'big.eml')}: larger than ${MAX_MESSAGE_BYTES} bytes (${MAX_MESSAGE_BYTES + 1})`,
      `skipped ${join(dir, 'big.mbox')}#1: larger than ${MAX_MESSAGE_BYTES} bytes (${MAX_MESSAGE_BYTES + 100 - 44})`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
