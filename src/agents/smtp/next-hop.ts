import type { SmtpReply } from '../common/smtp-reply.js';
import { deliverToMaildir } from './maildir-delivery.js';
import { NextHopClient, type OutgoingMessage } from './smtp-client.js';

/** Where accepted mail goes: the MTA's re-injection listener, or local Maildirs. */
export interface NextHop {
  readonly description: string;
  deliver(message: OutgoingMessage, signal?: AbortSignal): Promise<SmtpReply>;
  /** Closes cached connections (agent shutdown). */
  close?(): void;
}

/** Parses `host:port` / `[v6]:port`. */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`expected host:port, got "${text}"`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** Postfix's smtp_connection_reuse_time_limit: a session is not reused after this long. */
const CONNECTION_MAX_AGE_MS = 300_000;

/**
 * The MTA's re-injection listener over SMTP. Sessions are reused (`cacheConnections` idle ones
 * kept for `cacheIdleMs`), so a steady stream of mail costs one connection per concurrent
 * message, not one per message.
 */
export function smtpNextHop(target: string, options: { heloName: string; timeoutMs: number; cacheConnections?: number; cacheIdleMs?: number }): NextHop {
  const { host, port } = parseHostPort(target);
  const client = new NextHopClient({ host, port, heloName: options.heloName, timeoutMs: options.timeoutMs }, { maxIdle: options.cacheConnections ?? 0, idleMs: options.cacheIdleMs ?? 2_000, maxAgeMs: CONNECTION_MAX_AGE_MS });
  return {
    description: `smtp:${host}:${port}`,
    deliver: (message, signal) => client.send(message, signal),
    close: () => client.close(),
  };
}

export function maildirNextHop(root: string): NextHop {
  return { description: `maildir:${root}`, deliver: (message) => deliverToMaildir(root, message) };
}
