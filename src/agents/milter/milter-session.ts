import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../../core/logger.js';
import { toMoatError } from '../../core/errors.js';
import type { ClientInfo, MessageSource, Pipeline, Transaction } from '../../pipeline/types.js';
import {
  MilterDecoder,
  SMFIC,
  SMFIF,
  SMFIP,
  SMFIR,
  encodeOptNeg,
  encodePacket,
  parseConnect,
  parseHeader,
  parseMacros,
  parseOptNeg,
  parseStrings,
  replyCodePacket,
  type Packet,
} from './milter-codec.js';
import { milterReplies, type MilterGroup } from './milter-outcome.js';

export interface MilterSessionDeps {
  pipeline: Pipeline;
  logger: Logger;
  maxMessageBytes: number;
  progressIntervalMs: number;
  processTimeoutMs: number;
  headerPosition: 'top' | 'bottom';
  holdQuarantined: boolean;
  signal: AbortSignal;
}

/** Actions Moat may use: headers, body replacement, recipient removal, header change, quarantine. */
const WANTED_ACTIONS = SMFIF.ADDHDRS | SMFIF.CHGBODY | SMFIF.DELRCPT | SMFIF.CHGHDRS | SMFIF.QUARANTINE;
/** Protocol steps: no UNKNOWN events; header values with their leading space (byte-exact rebuild). */
const WANTED_PROTOCOL = SMFIP.NOUNKNOWN | SMFIP.HDR_LEADSPC;

interface MessageState {
  mailFrom: string;
  params: Record<string, string>;
  rcpts: string[];
  rcptArgs: Map<string, string>;
  headers: Buffer[];
  body: Buffer[];
  size: number;
  tooBig: boolean;
}

function stripBrackets(addr: string): string {
  const m = /^<(.*)>$/.exec(addr.trim());
  return m ? m[1]! : addr.trim();
}

/** One MTA connection: negotiate, follow events, decide at end of message. Never throws. */
export async function runMilterSession(socket: Socket, deps: MilterSessionDeps): Promise<void> {
  const decoder = new MilterDecoder();
  const queue: Packet[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    try {
      queue.push(...decoder.push(chunk));
    } catch (err) {
      deps.logger.warn({ err }, 'milter: malformed packet from MTA; closing');
      closed = true;
      socket.destroy();
    }
    wake?.();
  });
  // The MTA going away aborts an end-of-message scan in progress: it will retry the mail.
  const gone = new AbortController();
  const onEnd = () => {
    closed = true;
    gone.abort();
    wake?.();
  };
  socket.on('end', onEnd);
  socket.on('close', onEnd);
  const next = async (): Promise<Packet | undefined> => {
    while (queue.length === 0) {
      if (closed) return undefined;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
    return queue.shift();
  };
  const send = (...packets: Buffer[]) => {
    if (!socket.destroyed) socket.write(Buffer.concat(packets));
  };

  let actions = 0;
  let leadSpace = false;
  const client: ClientInfo = {};
  const macros = new Map<string, string>();
  let msg: MessageState | undefined;
  const newMessage = (): MessageState => ({ mailFrom: '', params: {}, rcpts: [], rcptArgs: new Map(), headers: [], body: [], size: 0, tooBig: false });

  try {
    for (;;) {
      const packet = await next();
      if (!packet) break;
      const { command, data } = packet;
      switch (command) {
        case SMFIC.OPTNEG: {
          const offer = parseOptNeg(data);
          actions = WANTED_ACTIONS & offer.actions;
          const protocol = WANTED_PROTOCOL & offer.protocol;
          leadSpace = (protocol & SMFIP.HDR_LEADSPC) !== 0;
          send(encodeOptNeg({ version: Math.min(6, offer.version), actions, protocol }));
          break;
        }
        case SMFIC.MACRO: {
          const { macros: m } = parseMacros(data);
          for (const [k, v] of m) macros.set(k, v);
          if (macros.has('i')) client.queueId = macros.get('i');
          if (macros.has('auth_authen')) client.authenticatedUser = macros.get('auth_authen');
          break;
        }
        case SMFIC.CONNECT: {
          const info = parseConnect(data);
          client.hostname = info.hostname;
          client.address = info.address;
          send(encodePacket(SMFIR.CONTINUE));
          break;
        }
        case SMFIC.HELO:
          client.helo = parseStrings(data)[0];
          send(encodePacket(SMFIR.CONTINUE));
          break;
        case SMFIC.MAIL: {
          const [from = '', ...params] = parseStrings(data);
          msg = newMessage();
          msg.mailFrom = stripBrackets(from);
          for (const p of params) {
            const eq = p.indexOf('=');
            msg.params[(eq === -1 ? p : p.slice(0, eq)).toUpperCase()] = eq === -1 ? '' : p.slice(eq + 1);
          }
          send(encodePacket(SMFIR.CONTINUE));
          break;
        }
        case SMFIC.RCPT: {
          const [rcpt = ''] = parseStrings(data);
          msg ??= newMessage();
          const bare = stripBrackets(rcpt);
          msg.rcpts.push(bare);
          msg.rcptArgs.set(bare, rcpt);
          send(encodePacket(SMFIR.CONTINUE));
          break;
        }
        case SMFIC.HEADER: {
          const { name, value } = parseHeader(data);
          msg ??= newMessage();
          const line = Buffer.from(`${name}:${leadSpace ? '' : ' '}${value.replace(/\r?\n/g, '\r\n')}\r\n`, 'utf8');
          msg.size += line.length;
          if (msg.size > deps.maxMessageBytes) msg.tooBig = true;
          else msg.headers.push(line);
          send(encodePacket(SMFIR.CONTINUE));
          break;
        }
        case SMFIC.BODY:
          msg ??= newMessage();
          msg.size += data.length;
          if (msg.size > deps.maxMessageBytes) msg.tooBig = true;
          else msg.body.push(data);
          send(encodePacket(SMFIR.CONTINUE));
          break;
        case SMFIC.DATA:
        case SMFIC.EOH:
        case SMFIC.UNKNOWN:
          send(encodePacket(SMFIR.CONTINUE));
          break;
        case SMFIC.BODYEOB:
          send(...(await endOfMessage(msg ?? newMessage(), client, { actions, leadSpace }, { ...deps, signal: AbortSignal.any([deps.signal, gone.signal]) }, send)));
          msg = undefined;
          break;
        case SMFIC.ABORT:
          msg = undefined;
          break;
        case SMFIC.QUIT_NC:
          msg = undefined;
          macros.clear();
          for (const k of Object.keys(client) as Array<keyof ClientInfo>) delete client[k];
          break;
        case SMFIC.QUIT:
          closed = true;
          break;
        default:
          deps.logger.warn({ command }, 'milter: unknown command; closing');
          closed = true;
      }
      if (closed && command === SMFIC.QUIT) break;
    }
  } catch (err) {
    deps.logger.warn({ err }, 'milter session failed');
  } finally {
    if (!socket.destroyed) socket.end();
  }
}

async function endOfMessage(
  msg: MessageState,
  client: ClientInfo,
  negotiated: { actions: number; leadSpace: boolean },
  deps: MilterSessionDeps,
  send: (...p: Buffer[]) => void,
): Promise<Buffer[]> {
  if (msg.tooBig) return [replyCodePacket(452, '4.3.4', `Message larger than the content filter's ${deps.maxMessageBytes} byte budget, try again later`)];
  const message: MessageSource = { kind: 'buffer', data: Buffer.concat([...msg.headers, Buffer.from('\r\n'), ...msg.body]) };
  const tx: Transaction = {
    id: randomUUID(),
    agent: 'milter',
    envelope: { mailFrom: msg.mailFrom, rcptTo: msg.rcpts, params: msg.params },
    client: { ...client, protocol: 'milter' },
    message,
    receivedAt: new Date(),
  };
  const abort = new AbortController();
  const onStop = () => abort.abort();
  deps.signal.addEventListener('abort', onStop);
  const timeout = setTimeout(() => abort.abort(), deps.processTimeoutMs);
  // Keep the MTA's timer from expiring during long scans.
  const progress = setInterval(() => send(encodePacket(SMFIR.PROGRESS)), deps.progressIntervalMs);
  try {
    const outcome = await deps.pipeline.process(tx, abort.signal);
    const groups: MilterGroup[] = [];
    for (const g of outcome.groups) {
      let bytes: Buffer | undefined;
      if (g.message && g.bodyReplaced) bytes = g.message.kind === 'buffer' ? g.message.data : await readFile(g.message.path);
      groups.push({ ...g, message: bytes });
    }
    return milterReplies(groups, {
      actions: negotiated.actions,
      headerPosition: deps.headerPosition,
      holdQuarantined: deps.holdQuarantined,
      rcptArgs: msg.rcptArgs,
      leadSpace: negotiated.leadSpace,
    });
  } catch (err) {
    const e = toMoatError(err);
    deps.logger.warn({ err: e, code: e.code, tx: tx.id }, 'milter: no decision; tempfailing');
    return [replyCodePacket(451, '4.7.1', 'Content filter temporarily unavailable, try again later')];
  } finally {
    clearInterval(progress);
    clearTimeout(timeout);
    deps.signal.removeEventListener('abort', onStop);
  }
}
