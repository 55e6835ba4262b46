import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { createHash } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import { toMoatError } from '../../core/errors.js';
import type { ClientInfo, Envelope } from '../../pipeline/types.js';
import { parseCgpRequest, quoteCgp, responseLine } from './cgp-codec.js';
import { decideCgp, type CgpGroupLike } from './cgp-outcome.js';
import { parseCgpQueueFile } from './cgp-queue-file.js';

/** The daemon round trip, injected by the composition root (the local-socket client). */
export type CgpProcess = (envelope: Envelope, client: ClientInfo, message: Buffer) => Promise<CgpGroupLike[]>;

export interface CgpSessionOptions {
  input: Readable;
  output: Writable;
  process: CgpProcess;
  logger: Logger;
  /** CGP's base directory: FILE paths are relative to it. */
  baseDir: string;
  /** `<base>/Submitted` for cleaned copies; undefined = cleaning defers instead. */
  submittedDir?: string;
  /** Requests scanned at once (cgpav: match CGP's enqueuer processors). */
  maxConcurrency: number;
  /** Answer FAILURE (CGP passes the mail unfiltered) instead of REJECTED on internal errors. */
  failOpen: boolean;
  /** Version answered to INTF. */
  interfaceVersion: number;
}

/** Runs the helper until stdin closes; requests are answered as they finish, possibly out of order. */
export async function runCgpSession(o: CgpSessionOptions): Promise<void> {
  const pending = new Set<Promise<void>>();
  const waiting: Array<() => void> = [];
  let running = 0;
  const write = (seq: string, body: string) => {
    o.output.write(`${responseLine(seq, body)}\n`);
  };
  const acquire = async () => {
    if (running >= o.maxConcurrency) await new Promise<void>((r) => waiting.push(r));
    else running++;
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  o.output.write('* Moat CGP helper started\n');
  const lines = createInterface({ input: o.input, crlfDelay: Infinity });
  for await (const line of lines) {
    const req = parseCgpRequest(line);
    if (!req) continue;
    if (req.command === 'INTF') write(req.seq, `INTF ${o.interfaceVersion}`);
    else if (req.command === 'QUIT') {
      await Promise.all(pending);
      write(req.seq, 'OK');
    } else if (req.command === 'FILE') {
      const task = (async () => {
        await acquire();
        try {
          write(req.seq, await filterFile(req.args.trim(), o));
        } finally {
          release();
        }
      })();
      pending.add(task);
      void task.finally(() => pending.delete(task));
    } else write(req.seq, 'OK');
  }
  await Promise.all(pending);
}

function queuePath(baseDir: string, relative: string): string | undefined {
  const rel = relative.replace(/\\/g, '/');
  if (isAbsolute(rel)) return undefined;
  const full = normalize(join(baseDir, rel));
  return full.startsWith(normalize(baseDir) + sep) ? full : undefined;
}

async function filterFile(relative: string, o: CgpSessionOptions): Promise<string> {
  const failure = (why: string) => (o.failOpen ? 'FAILURE' : `REJECTED ${quoteCgp(why)}`);
  const path = queuePath(o.baseDir, relative);
  if (!path) return failure('Queue file path outside the base directory');
  try {
    const queued = parseCgpQueueFile(await readFile(path));
    const groups = await o.process(
      { mailFrom: queued.sender, rcptTo: queued.recipients },
      { address: queued.clientAddress, helo: queued.helo, queueId: relative, protocol: 'cgp' },
      queued.message,
    );
    const decision = decideCgp(groups, o.submittedDir !== undefined);
    if (decision.kind === 'respond') return decision.body;
    await resubmit(o.submittedDir!, queued.sender, decision.recipients, decision.message, relative);
    return 'DISCARD';
  } catch (err) {
    const e = toMoatError(err);
    o.logger.warn({ err: e, code: e.code, file: relative }, 'cgp: no decision; answering temporary failure');
    return failure('Temporary scanning failure');
  }
}

/** Writes `<name>.tmp` then renames to `.sub` (PIPE module picks it up); name derives from the queue file so a resent request does not duplicate. */
async function resubmit(dir: string, sender: string, recipients: string[], message: Buffer, relative: string): Promise<void> {
  const name = createHash('sha256').update(relative).update(message).digest('hex').slice(0, 32);
  const text = message.toString('latin1').replace(/\r\n/g, '\n');
  const head = `Return-Path: <${sender}>\n${recipients.map((r) => `Envelope-To: <${r}>\n`).join('')}`;
  const tmp = join(dir, `moat-${name}.tmp`);
  await writeFile(tmp, head + text, { encoding: 'latin1', mode: 0o600 });
  await rename(tmp, join(dir, `moat-${name}.sub`));
}
