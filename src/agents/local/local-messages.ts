import type { ClientInfo, Envelope, FinalAction } from '../../pipeline/types.js';

/** JSON of the `H` frame. */
export interface LocalRequest {
  v: 1;
  agent: 'mda' | 'pipe' | 'qmail' | 'cgp';
  envelope: Envelope;
  client: ClientInfo;
}

/** One recipient group of the `R` frame; `message` = index of the D…E block that follows, if rewritten. */
export interface LocalGroup {
  recipients: string[];
  action: FinalAction;
  reply?: { code: number; enhanced?: string; text: string };
  message?: number;
  addHeaders: Array<{ name: string; value: string }>;
  subject?: string;
  bodyReplaced: boolean;
  quarantineId?: string;
}

export type LocalResponse =
  | { ok: true; transactionId: string; summary: string; groups: LocalGroup[] }
  | { ok: false; code: string; temporary: boolean; message: string };

const AGENTS = new Set(['mda', 'pipe', 'qmail', 'cgp']);

/** Validates a request header from an untrusted local peer. */
export function parseLocalRequest(payload: Buffer): LocalRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.v !== 1 || typeof v.agent !== 'string' || !AGENTS.has(v.agent)) return undefined;
  const env = v.envelope as Record<string, unknown> | undefined;
  if (!env || typeof env.mailFrom !== 'string' || !Array.isArray(env.rcptTo) || !env.rcptTo.every((r) => typeof r === 'string')) return undefined;
  const client = (typeof v.client === 'object' && v.client !== null ? v.client : {}) as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === 'string' ? x : undefined);
  return {
    v: 1,
    agent: v.agent as LocalRequest['agent'],
    envelope: { mailFrom: env.mailFrom, rcptTo: env.rcptTo as string[], params: undefined },
    client: {
      address: str(client.address),
      hostname: str(client.hostname),
      helo: str(client.helo),
      queueId: str(client.queueId),
      protocol: str(client.protocol),
      authenticatedUser: str(client.authenticatedUser),
    },
  };
}
