import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { splitMbox } from '../engine/unpack/mail/mbox-split.js';

/** One message found under a path: a file, each file of a directory or Maildir (cur/ new/), each message of an mbox. */
export interface MailItem {
  path: string;
  data: Buffer;
}

export async function* mailItems(path: string): AsyncGenerator<MailItem> {
  const st = await stat(path);
  if (st.isDirectory()) {
    const names = (await readdir(path)).sort();
    for (const n of names) {
      if (n === 'tmp' || n.startsWith('.')) continue;
      yield* mailItems(join(path, n));
    }
    return;
  }
  const data = await readFile(path);
  const messages = data.subarray(0, 5).toString('latin1') === 'From ' ? splitMbox(data) : undefined;
  if (messages && messages.length > 1) {
    for (const [i, m] of messages.entries()) yield { path: `${path}#${i + 1}`, data: Buffer.from(m) };
  } else yield { path, data: messages ? Buffer.from(messages[0]!) : data };
}
