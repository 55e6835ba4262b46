import type { SmtpReply } from '../common/smtp-reply.js';
import { deliverToMaildir } from './maildir-delivery.js';
import { sendMessage, type OutgoingMessage } from './smtp-client.js';

/** Where accepted mail goes: the MTA's re-injection listener, or local Maildirs. */
export interface NextHop {
  readonly description: string;
  deliver(message: OutgoingMessage, signal?: AbortSignal): Promise<SmtpReply>;
}

/** Parses `host:port` / `[v6]:port`. */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`expected host:port, got "${text}"`);
  return { host: m[1]!, port: Number(m[2]) };
}

export function smtpNextHop(target: string, options: { heloName: string; timeoutMs: number }): NextHop {
  const { host, port } = parseHostPort(target);
  return {
    description: `smtp:${host}:${port}`,
    deliver: (message, signal) => sendMessage({ host, port, heloName: options.heloName, timeoutMs: options.timeoutMs, signal }, message),
  };
}

export function maildirNextHop(root: string): NextHop {
  return { description: `maildir:${root}`, deliver: (message) => deliverToMaildir(root, message) };
}
