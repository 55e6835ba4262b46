import { stringify } from 'smol-toml';
import type { LoadedConfig } from './load.js';

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Renders the effective configuration as TOML; every value not set by a file is marked `# default`. */
export function renderEffectiveConfig(loaded: LoadedConfig): string {
  const out: string[] = [];
  out.push(`# effective configuration; files: ${loaded.files.length ? loaded.files.join(', ') : '(none — embedded defaults)'}`);
  const emitTable = (table: Table, path: string[]): void => {
    const scalars = Object.entries(table).filter(([, v]) => !isTable(v) && v !== undefined);
    const tables = Object.entries(table).filter(([, v]) => isTable(v));
    if (path.length > 0) out.push('', `[${path.join('.')}]`);
    for (const [key, value] of scalars) {
      const line = stringify({ [key]: value }).trim();
      const origin = loaded.origins.get([...path, key].join('.'));
      out.push(origin ? `${line}  # ${origin}` : `${line}  # default`);
    }
    for (const [key, value] of tables) emitTable(value as Table, [...path, key]);
  };
  emitTable(loaded.config as unknown as Table, []);
  return `${out.join('\n')}\n`;
}
