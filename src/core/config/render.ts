import { stringify } from 'smol-toml';
import type { LoadedConfig } from './load.js';

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A TOML key: bare when it can be (`[antispam.bayes]`), quoted otherwise (`[users."bob@example.com"]`). */
function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** Renders the effective configuration as TOML; every value not set by a file is marked `# default`. */
export function renderEffectiveConfig(loaded: LoadedConfig): string {
  const out: string[] = [];
  out.push(`# effective configuration; files: ${loaded.files.length ? loaded.files.join(', ') : '(none — embedded defaults)'}`);
  const isTableArray = (v: unknown): v is Table[] => Array.isArray(v) && v.length > 0 && v.every(isTable);
  const emitBody = (table: Table, path: string[], originKey: string[]): void => {
    const scalars = Object.entries(table).filter(([, v]) => !isTable(v) && !isTableArray(v) && v !== undefined);
    for (const [key, value] of scalars) {
      const line = stringify({ [key]: value }).trim();
      const origin = loaded.origins.get([...originKey, key].join('.'));
      out.push(origin ? `${line}  # ${origin}` : `${line}  # default`);
    }
    for (const [key, value] of Object.entries(table)) {
      if (isTable(value)) emitTable(value, [...path, key], [...originKey, key]);
      // An array of tables ([[antispam.dnsbl]]): one block per element; a sub-table header that follows belongs to that element.
      else if (isTableArray(value)) {
        for (const element of value) {
          out.push('', `[[${[...path, key].map(tomlKey).join('.')}]]  # ${loaded.origins.get([...originKey, key].join('.')) ?? 'default'}`);
          for (const [k, v] of Object.entries(element)) if (!isTable(v) && v !== undefined) out.push(stringify({ [k]: v }).trim());
          for (const [k, v] of Object.entries(element)) if (isTable(v)) emitSubTable(v, [...path, key, k]);
        }
      }
    }
  };
  const emitSubTable = (table: Table, path: string[]): void => {
    out.push('', `[${path.map(tomlKey).join('.')}]`);
    for (const [k, v] of Object.entries(table)) if (!isTable(v) && v !== undefined) out.push(stringify({ [k]: v }).trim());
    for (const [k, v] of Object.entries(table)) if (isTable(v)) emitSubTable(v, [...path, k]);
  };
  const emitTable = (table: Table, path: string[], originKey: string[]): void => {
    if (path.length > 0) out.push('', `[${path.map(tomlKey).join('.')}]`);
    emitBody(table, path, originKey);
  };
  emitTable(loaded.config as unknown as Table, [], []);
  return `${out.join('\n')}\n`;
}
