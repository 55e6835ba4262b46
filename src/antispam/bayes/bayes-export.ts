import type { LearnedRecord } from './token-store.js';
import { decodeFeatures } from '../model/feature-codec.js';
import { MAX_TOKENS } from './tokenizer.js';

/**
 * `moat learn --export` / `--import`: what Bayes learned, as JSON Lines, to move it between
 * stores (SQLite on one host → Redis for a cluster, or a new host) or keep a copy, as
 * `sa-learn --backup` / `--restore` do. The first line says what the file is; then one learned
 * message per line: its key, class, tokens and (base64) model features.
 */
export const EXPORT_FORMAT = 'moat-bayes';
export const EXPORT_VERSION = 1;

/** Longest line read: a message's tokens (at most 3,000) and features fit in far less. */
export const MAX_EXPORT_LINE_BYTES = 1024 * 1024;
const MAX_TOKEN_CHARS = 1000;
const LONE_SURROGATE = /\p{Cs}/u;

export function exportHeader(counts: { spam: number; ham: number }, exportedAt: Date): string {
  return JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, exported: exportedAt.toISOString(), spam: counts.spam, ham: counts.ham });
}

export function exportRecord(r: LearnedRecord): string {
  return JSON.stringify({ key: r.key, class: r.class, tokens: r.tokens, ...(r.features ? { features: Buffer.from(r.features).toString('base64') } : {}) });
}

/** Checks the first line; says what is wrong, or undefined when it is an export Moat reads. */
export function checkExportHeader(line: string): string | undefined {
  let h: unknown;
  try {
    h = JSON.parse(line);
  } catch {
    return 'the first line is not JSON: not a moat learn --export file';
  }
  const header = h as { format?: unknown; version?: unknown };
  if (header?.format !== EXPORT_FORMAT) return `the first line does not say "format": "${EXPORT_FORMAT}": not a moat learn --export file`;
  if (header.version !== EXPORT_VERSION) return `export version ${JSON.stringify(header.version)}; this Moat reads version ${EXPORT_VERSION}`;
  return undefined;
}

/** One record line: the learned message, or what is wrong with it. Never throws. */
export function parseExportRecord(line: string): LearnedRecord | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { error: 'not JSON' };
  }
  const r = v as { key?: unknown; class?: unknown; tokens?: unknown; features?: unknown };
  if (typeof r !== 'object' || r === null) return { error: 'not an object' };
  if (typeof r.key !== 'string' || !/^[0-9a-f]{32}$/.test(r.key)) return { error: '"key" is not 32 hex digits' };
  if (r.class !== 'spam' && r.class !== 'ham') return { error: '"class" is neither "spam" nor "ham"' };
  if (!Array.isArray(r.tokens) || r.tokens.length > MAX_TOKENS || !r.tokens.every((t) => typeof t === 'string' && t.length > 0 && t.length <= MAX_TOKEN_CHARS)) return { error: `"tokens" is not a list of at most ${MAX_TOKENS} non-empty strings` };
  // A lone surrogate (\ud800) is valid JSON but no text: Redis's cjson refuses it, and mail never yields one.
  if ((r.tokens as string[]).some((t) => LONE_SURROGATE.test(t))) return { error: '"tokens" holds a lone UTF-16 surrogate, which no message text has' };
  if (r.features === undefined) return { key: r.key, class: r.class, tokens: r.tokens as string[] };
  if (typeof r.features !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(r.features)) return { error: '"features" is not base64' };
  const features = new Uint8Array(Buffer.from(r.features, 'base64'));
  try {
    decodeFeatures(features);
  } catch (err) {
    return { error: `"features": ${(err as Error).message}` };
  }
  return { key: r.key, class: r.class, tokens: r.tokens as string[], features };
}
