import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { looksLikeMbox, readMboxMessages } from '../mail/mbox-stream.js';

/** A message larger than any an MTA passes by default (Postfix 10 MB, Moat's SMTP agent 50 MB) is skipped, not read into memory. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Files a mail store keeps beside the messages (Dovecot, Courier, Maildir++): never mail. */
const STORE_FILES = /^(dovecot[.-]|dovecot$|subscriptions$|maildirfolder$|courierimap)/;

/**
 * What a path holds, one item at a time: a message (a file, each file of a directory or Maildir,
 * each message of an mbox), something skipped with the reason, or a path that could not be read.
 * A bad path never stops the others.
 */
export type MailSourceItem = { kind: 'message'; path: string; data: Buffer } | { kind: 'skipped'; path: string; reason: string } | { kind: 'error'; path: string; error: string };

/** An input that gave no message: skipped with the reason, or unreadable with the error. */
export type UnreadItem = Exclude<MailSourceItem, { kind: 'message' }>;

/** Whether the start of a file reads as a mail message: a header field (`Name: value`) first. */
export function looksLikeMessage(head: Uint8Array): boolean {
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, 1000)).toString('latin1');
  return /^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(text);
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^\w+: /, '')}` : String(err);
}

async function* fromStream(path: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<MailSourceItem> {
  for await (const m of readMboxMessages(source, { maxMessageBytes: MAX_MESSAGE_BYTES })) {
    const where = `${path}#${m.index}`;
    if ('tooBig' in m) yield { kind: 'skipped', path: where, reason: `larger than ${MAX_MESSAGE_BYTES} bytes (${m.bytes})` };
    else if (m.data.length === 0) yield { kind: 'skipped', path: where, reason: 'empty message' };
    else yield { kind: 'message', path: where, data: m.data };
  }
}

/** Standard input read whole (its head said it is not an mbox): one message, or not mail. */
function fromBytes(path: string, data: Buffer): MailSourceItem {
  if (data.length === 0) return { kind: 'skipped', path, reason: 'empty input' };
  if (!looksLikeMessage(data)) return { kind: 'skipped', path, reason: 'not a mail message (no header line at the start)' };
  return { kind: 'message', path, data };
}

/** One open per file: the head says what it is, then the same handle is streamed (an mbox) or read whole (a message). */
async function* fromFile(path: string, size: number): AsyncGenerator<MailSourceItem> {
  if (size === 0) return yield { kind: 'skipped', path, reason: 'empty file' };
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer.subarray(0, bytesRead);
    if (looksLikeMbox(head)) return yield* fromStream(path, handle.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: false }));
    if (!looksLikeMessage(head)) return yield { kind: 'skipped', path, reason: 'not a mail message (no header line at the start)' };
    if (size > MAX_MESSAGE_BYTES) return yield { kind: 'skipped', path, reason: `larger than ${MAX_MESSAGE_BYTES} bytes (${size})` };
    yield { kind: 'message', path, data: await handle.readFile() };
  } finally {
    await handle.close();
  }
}

async function* walk(path: string, seen: Set<string>): AsyncGenerator<MailSourceItem> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    return yield { kind: 'error', path, error: errorText(err) };
  }
  if (st.isDirectory()) {
    // A symbolic link back up the tree would otherwise be walked until ELOOP, re-reading the same files.
    const id = `${st.dev}:${st.ino}`;
    if (seen.has(id)) return yield { kind: 'skipped', path, reason: 'directory already read (a symbolic link loop)' };
    seen.add(id);
    let names: string[];
    try {
      names = (await readdir(path)).sort();
    } catch (err) {
      return yield { kind: 'error', path, error: errorText(err) };
    }
    for (const name of names) {
      if (name === 'tmp') continue; // Maildir: messages still being written
      if (name.startsWith('.')) {
        if (await stat(join(path, name)).then((s) => s.isDirectory(), () => false)) yield { kind: 'skipped', path: join(path, name), reason: 'Maildir++ folder or hidden directory: give it as a path to read it' };
        continue;
      }
      if (STORE_FILES.test(name)) continue;
      yield* walk(join(path, name), seen);
    }
    return;
  }
  if (!st.isFile()) return yield { kind: 'skipped', path, reason: 'not a regular file (FIFO, socket or device)' };
  try {
    yield* fromFile(path, st.size);
  } catch (err) {
    yield { kind: 'error', path, error: errorText(err) };
  }
}

/** The first `bytes` of a stream, and the whole stream again (those bytes first). */
async function peek(source: AsyncIterable<Uint8Array>, bytes: number): Promise<{ head: Buffer; all: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const first: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    first.push(Buffer.from(next.value));
    size += next.value.length;
  }
  async function* all(): AsyncGenerator<Uint8Array> {
    yield* first;
    if (done) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head: Buffer.concat(first), all: all() };
}

/**
 * The messages under a path, `-` for standard input (one message or an mbox). Directories are
 * walked in name order (Maildir `tmp/`, Maildir++ `.Folder`s and the mail store's own files
 * skipped); an mbox is read as a stream, one message at a time.
 */
export async function* mailSourceItems(path: string, stdin: AsyncIterable<Uint8Array> = process.stdin): AsyncGenerator<MailSourceItem> {
  if (path === '-') {
    const { head, all } = await peek(stdin, 4096);
    if (looksLikeMbox(head)) return yield* fromStream('-', all);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of all) {
      size += c.length;
      if (size > MAX_MESSAGE_BYTES) return yield { kind: 'skipped', path: '-', reason: `larger than ${MAX_MESSAGE_BYTES} bytes and not an mbox` };
      chunks.push(Buffer.from(c));
    }
    return yield fromBytes('-', Buffer.concat(chunks));
  }
  yield* walk(path, new Set());
}

/**
 * The messages under all `paths`, in order; what is skipped or cannot be read goes to
 * `onUnread` instead (the commands say so on stderr and count it).
 */
export async function* mailMessages(paths: readonly string[], onUnread: (item: UnreadItem) => void): AsyncGenerator<{ path: string; data: Buffer }> {
  for (const path of paths) {
    for await (const item of mailSourceItems(path)) {
      if (item.kind === 'message') yield item;
      else onUnread(item);
    }
  }
}
