import { hostname } from 'node:os';
import type { AntispamConfig } from '../core/config/sections/antispam.js';

/** The authserv-id Moat writes its Authentication-Results under: `[antispam] authserv_id`, or this host's name. */
export function moatAuthservId(config: Pick<AntispamConfig, 'authserv_id'>): string {
  return config.authserv_id || hostname();
}

/**
 * Header fields that would pass for Moat's own verdict when a message arrives already carrying
 * them: every `X-Spam-*` field (SpamAssassin removes them before it adds its own and keeps only
 * `X-Spam-Prev-*`), and, while Moat writes Authentication-Results, every one under its
 * authserv-id (RFC 8601 §5: a border MTA deletes those, as a sender could forge "dkim=pass"
 * under it). Downstream Sieve, procmail and clients read such fields; only Moat's may be there.
 * Undefined when Moat's anti-spam is off: another filter's verdict then is the one in the mail.
 */
export function claimsMoatVerdict(config: Pick<AntispamConfig, 'enabled' | 'authentication' | 'authserv_id'>): ((name: string, value: string) => boolean) | undefined {
  if (!config.enabled) return undefined;
  const ownId = config.authentication ? moatAuthservId(config).toLowerCase() : undefined;
  return (name, value) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-spam-')) return !lower.startsWith('x-spam-prev-');
    if (lower !== 'authentication-results' || ownId === undefined) return false;
    // A value whose authserv-id cannot be read is removed too: a reader that can is free to take it for ours.
    const id = authservId(value);
    return id === undefined || id.toLowerCase() === ownId;
  };
}

/**
 * The authserv-id an Authentication-Results value starts with (RFC 8601 §2.2: `authserv-id =
 * value`, a token or a quoted-string, after CFWS, comments nesting as RFC 5322 allows);
 * undefined when there is none to read. Linear in the value.
 */
export function authservId(value: string): string | undefined {
  let i = 0;
  // CFWS: blanks and comments, which nest and may hold quoted pairs.
  for (;;) {
    while (i < value.length && /\s/.test(value[i]!)) i++;
    if (value[i] !== '(') break;
    let depth = 0;
    for (; i < value.length; i++) {
      const c = value[i];
      if (c === '\\') i++;
      else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) {
        i++;
        break;
      }
    }
    if (depth > 0) return undefined;
  }
  if (value[i] === '"') {
    let id = '';
    for (i++; i < value.length; i++) {
      const c = value[i]!;
      if (c === '\\') id += value[++i] ?? '';
      else if (c === '"') return id || undefined;
      else id += c;
    }
    return undefined;
  }
  return /^[^\s;()"]+/.exec(value.slice(i))?.[0];
}
