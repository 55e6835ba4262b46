import { connect } from 'node:net';
import { MoatError, toMoatError } from '../../core/errors.js';
import type { ClientInfo, Envelope } from '../../pipeline/types.js';
import { FrameDecoder, encodeFrame, encodeMessage, type Frame } from './local-codec.js';
import type { LocalGroup, LocalRequest, LocalResponse } from './local-messages.js';

/** A recipient group as the out-of-process commands see it: rewritten message bytes inline. */
export interface SubmittedGroup extends Omit<LocalGroup, 'message'> {
  message?: Buffer;
}

export interface SubmitResult {
  transactionId: string;
  summary: string;
  groups: SubmittedGroup[];
}

export interface SubmitOptions {
  socketPath: string;
  agent: LocalRequest['agent'];
  envelope: Envelope;
  client?: ClientInfo;
  message: Buffer;
  /** Whole exchange deadline; the caller's MTA timeout must be longer. */
  timeoutMs: number;
}

/**
 * Submits one message to the daemon's pipeline and returns its Outcome. Every failure
 * (no daemon, dropped connection, timeout, daemon-side error) throws a temporary MoatError
 * so callers tempfail; a permanent error is thrown only for a protocol mismatch.
 */
export function submitToDaemon(options: SubmitOptions): Promise<SubmitResult> {
  return new Promise((resolve, reject) => {
    const socket = connect(options.socketPath);
    const decoder = new FrameDecoder();
    let response: LocalResponse | undefined;
    const bodies: Buffer[] = [];
    let current: Buffer[] = [];
    let settled = false;
    const done = (err: MoatError | undefined, value?: SubmitResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = setTimeout(() => done(new MoatError('TIMEOUT', `no answer from the Moat daemon within ${options.timeoutMs} ms`)), options.timeoutMs);
    const expected = () => (response && response.ok ? response.groups.filter((g) => g.message !== undefined).length : 0);
    const finishIfComplete = () => {
      if (!response) return;
      if (!response.ok) {
        done(new MoatError(response.code === 'PROTOCOL' ? 'PROTOCOL' : 'DAEMON_UNREACHABLE', `daemon: ${response.code}: ${response.message}`, { code: response.code }));
        return;
      }
      if (bodies.length < expected()) return;
      const groups = response.groups.map((g) => {
        const { message, ...rest } = g;
        return message === undefined ? rest : { ...rest, message: bodies[message] };
      });
      done(undefined, { transactionId: response.transactionId, summary: response.summary, groups });
    };
    const onFrame = (frame: Frame) => {
      if (!response) {
        if (frame.type !== 'R') throw new MoatError('PROTOCOL', 'expected a response frame');
        response = JSON.parse(frame.payload.toString('utf8')) as LocalResponse;
      } else if (frame.type === 'D') current.push(frame.payload);
      else if (frame.type === 'E') {
        bodies.push(Buffer.concat(current));
        current = [];
      } else throw new MoatError('PROTOCOL', `unexpected frame ${frame.type}`);
      finishIfComplete();
    };
    socket.on('connect', () => {
      const request: LocalRequest = { v: 1, agent: options.agent, envelope: options.envelope, client: options.client ?? {} };
      socket.write(encodeFrame('H', JSON.stringify(request)));
      for (const frame of encodeMessage(options.message)) socket.write(frame);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) onFrame(frame);
      } catch (err) {
        done(new MoatError('DAEMON_UNREACHABLE', `bad answer from the daemon: ${toMoatError(err).message}`));
      }
    });
    socket.on('error', (err) => done(new MoatError('DAEMON_UNREACHABLE', `cannot reach the Moat daemon at ${options.socketPath}: ${err.message}`, {}, { cause: err })));
    socket.on('close', () => done(new MoatError('DAEMON_UNREACHABLE', 'the Moat daemon closed the connection before answering')));
  });
}
