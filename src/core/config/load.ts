import { parse as parseToml, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { MoatError } from '../errors.js';
import { ConfigSchema, type MoatConfig } from './schema.js';

/** One configuration source: the main file, then `conf.d/*.toml` in name order. */
export interface ConfigSource {
  file: string;
  text: string;
}

export interface LoadedConfig {
  config: MoatConfig;
  /** Files that contributed, in merge order. */
  files: string[];
  /** Dotted key path → file that set it (keys absent here come from defaults). */
  origins: ReadonlyMap<string, string>;
}

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function mergeInto(target: Table, source: Table, file: string, origins: Map<string, string>, prefix: string): void {
  for (const [key, value] of Object.entries(source)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isTable(value) && isTable(target[key])) {
      mergeInto(target[key] as Table, value, file, origins, path);
    } else if (isTable(value)) {
      target[key] = {};
      mergeInto(target[key] as Table, value, file, origins, path);
    } else {
      target[key] = value;
      origins.set(path, file);
    }
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isTable(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function describeIssue(issue: z.core.$ZodIssue, raw: Table, origins: ReadonlyMap<string, string>): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => [...path, k].join('.'));
    const file = origins.get(keys[0]!) ?? findFileForPrefix(origins, keys[0]!) ?? 'configuration';
    return `${file}: unknown key ${keys.map((k) => `"${k}"`).join(', ')} (check the spelling; see \`moat config show\` for valid keys)`;
  }
  const key = path.join('.') || '(root)';
  const file = origins.get(key) ?? findFileForPrefix(origins, key) ?? 'configuration';
  const got = valueAt(raw, issue.path);
  const gotText = got === undefined ? 'nothing' : JSON.stringify(got);
  return `${file}: key "${key}": got ${gotText}; expected ${issue.message}`;
}

function findFileForPrefix(origins: ReadonlyMap<string, string>, prefix: string): string | undefined {
  for (const [key, file] of origins) if (key.startsWith(`${prefix}.`)) return file;
  return undefined;
}

/** Parses and validates configuration sources; throws CONFIG_PARSE / CONFIG_INVALID naming file, key, value and expectation. */
export function loadConfig(sources: readonly ConfigSource[]): LoadedConfig {
  const raw: Table = {};
  const origins = new Map<string, string>();
  for (const source of sources) {
    let parsed: Table;
    try {
      parsed = parseToml(source.text) as Table;
    } catch (err) {
      const where = err instanceof TomlError ? `:${err.line}:${err.column}` : '';
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new MoatError('CONFIG_PARSE', `${source.file}${where}: ${reason}`, { file: source.file });
    }
    mergeInto(raw, parsed, source.file, origins, '');
  }
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => describeIssue(issue, raw, origins));
    throw new MoatError('CONFIG_INVALID', lines.join('\n'), { issues: lines });
  }
  return { config: result.data, files: sources.map((s) => s.file), origins };
}
