import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MoatError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { SignatureDatabase } from '../contracts.js';
import type { BodySignatureRecord, LogicalSignatureRecord, SkippedSignature } from './records.js';
import { HashStoreBuilder } from './hash-store.js';
import { hashLineName, parseHashLine } from './hash-line-parser.js';
import { parseIgnoreLine, parseLdbLine, parseNdbLine } from './body-line-parser.js';
import { extensionOf, isPuaFile, loaderKindOf, type LoaderKind } from './signature-kinds.js';
import { openContainer, parseCvdHeader, type CvdKeys } from './cvd-container.js';
import { BUILTIN_VERSION, builtinNdbLines } from './builtin-database.js';

export interface LoadOptions {
  /** Refuse the whole load on the first malformed line (default: report file:line, load the rest). */
  strict?: boolean;
  /** Load PUA files (`*.hdu`, `*.ndu`, ...). */
  pua?: boolean;
  logger?: Logger;
  /** Verification keys; defaults to ClamAV's published keys. */
  keys?: CvdKeys;
  /** Current time, seconds (for the "daily built in the future" check). */
  nowSeconds?: number;
}

/** One file to load: a database file on disk or a verified member of a container. */
interface DbSource {
  file: string;
  data: Uint8Array;
  kind: LoaderKind;
  /** Signatures from signed containers keep their names; others get `.UNOFFICIAL` like ClamAV. */
  official: boolean;
}

/** Suffix ClamAV adds to names of signatures that do not come from a signed database. */
const UNOFFICIAL = '.UNOFFICIAL';
const UNOFFICIAL_BYTES = Buffer.from(UNOFFICIAL);

async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let st;
    try {
      st = await stat(path);
    } catch {
      throw new MoatError('SIGDB_NOT_FOUND', `signature database ${path}: no such file or directory`, { path });
    }
    if (!st.isDirectory()) {
      files.push(path);
      continue;
    }
    const names = (await readdir(path)).sort();
    const chosen = new Map<string, string>();
    for (const name of names) {
      if (!loaderKindOf(name)) continue;
      const ext = extensionOf(name);
      if (ext === 'cvd' || ext === 'cld') {
        // If both main.cvd and main.cld exist, the newer version wins (as in ClamAV).
        const base = name.slice(0, -4);
        const other = chosen.get(base);
        if (other && (await containerVersion(join(path, other))) >= (await containerVersion(join(path, name)))) continue;
        chosen.set(base, name);
      } else {
        chosen.set(name, name);
      }
    }
    for (const name of chosen.values()) files.push(join(path, name));
  }
  return files;
}

async function containerVersion(file: string): Promise<number> {
  const header = parseCvdHeader(await readFile(file));
  return typeof header === 'string' ? -1 : header.version;
}

function* lines(data: Uint8Array): Generator<[Uint8Array, number]> {
  let start = 0;
  let no = 0;
  while (start < data.length) {
    let end = data.indexOf(10, start);
    if (end < 0) end = data.length;
    no++;
    let lineEnd = end;
    if (lineEnd > start && data[lineEnd - 1] === 13) lineEnd--;
    const line = data.subarray(start, lineEnd);
    if (line.length > 0 && line[0] !== 35 /* # */) yield [line, no];
    start = end + 1;
  }
}

/**
 * Loads ClamAV databases (files, directories, signed containers) plus the built-in EICAR
 * database. Malformed lines are reported with file:line and skipped (or refuse everything in
 * strict mode); kinds Moat does not implement are counted and reported, never silently dropped.
 */
export async function loadDatabases(paths: readonly string[], options: LoadOptions = {}): Promise<SignatureDatabase> {
  const files = await expandPaths(paths);
  const sources: DbSource[] = [];
  const versions: string[] = [];
  const localHash = createHash('sha1');
  let localFiles = 0;
  for (const file of files) {
    const kind = loaderKindOf(file);
    if (!kind || kind === 'ignore') continue;
    const data = await readFile(file);
    if (kind === 'container') {
      const opened = openContainer(file, data, { keys: options.keys, nowSeconds: options.nowSeconds });
      versions.push(`${opened.name}:${opened.header.version}`);
      for (const member of opened.members) {
        const memberKind = loaderKindOf(member.name);
        if (memberKind && memberKind !== 'ignore') sources.push({ file: `${file}/${member.name}`, data: member.data, kind: memberKind, official: true });
      }
    } else {
      localHash.update(file).update(data);
      localFiles++;
      sources.push({ file, data, kind, official: false });
    }
  }
  if (localFiles > 0) versions.push(`local:${localHash.digest('hex').slice(0, 8)}`);
  versions.push(BUILTIN_VERSION);

  const counts: Record<string, number> = {};
  const bump = (key: string, n = 1) => (counts[key] = (counts[key] ?? 0) + n);
  const skipped: SkippedSignature[] = [];
  const malformed = (kind: string, file: string, line: number, message: string) => {
    if (options.strict) throw new MoatError('SIGDB_MALFORMED', `${file}:${line}: ${message}`, { file, line });
    skipped.push({ reason: 'malformed', kind, message, source: { file, line } });
    bump('malformed');
  };

  // Ignore lists first: they remove signatures while the others load (ClamAV's order).
  const ignoredAny = new Set<string>();
  const ignoredByLine = new Map<string, Set<string>>();
  for (const src of sources.filter((s) => s.kind === 'ign' || s.kind === 'ign2')) {
    for (const [line, no] of lines(src.data)) {
      const parsed = parseIgnoreLine(Buffer.from(line).toString('utf8'), src.kind === 'ign');
      if (typeof parsed === 'string') {
        malformed(src.kind, src.file, no, parsed);
        continue;
      }
      if (parsed.md5) {
        const set = ignoredByLine.get(parsed.name) ?? new Set<string>();
        set.add(parsed.md5);
        ignoredByLine.set(parsed.name, set);
      } else ignoredAny.add(parsed.name);
      bump(src.kind);
    }
  }
  const anyIgnores = ignoredAny.size > 0 || ignoredByLine.size > 0;
  const isIgnored = (name: string, line: Uint8Array): boolean => {
    if (ignoredAny.has(name)) return true;
    const md5s = ignoredByLine.get(name);
    return md5s !== undefined && md5s.has(createHash('md5').update(line).digest('hex'));
  };

  const fileHashes = new HashStoreBuilder();
  const sectionHashes = new HashStoreBuilder();
  const allowHashes = new HashStoreBuilder();
  const body: BodySignatureRecord[] = [];
  const logical: LogicalSignatureRecord[] = [];

  for (const src of sources) {
    if (src.kind === 'ign' || src.kind === 'ign2') continue;
    const ext = extensionOf(src.file);
    if (isPuaFile(src.file) && !options.pua) {
      for (const _ of lines(src.data)) bump('pua_not_enabled');
      continue;
    }
    const suffix = src.official ? '' : UNOFFICIAL;
    const suffixBytes = src.official ? undefined : UNOFFICIAL_BYTES;
    if (src.kind === 'unsupported') {
      let n = 0;
      for (const _ of lines(src.data)) n++;
      if (ext === 'cbc') n = 1; // one bytecode program per file
      bump(`unsupported.${ext}`, n);
      skipped.push({ reason: 'unsupported', kind: ext, message: `${n} ${ext} signature(s) not supported yet`, source: { file: src.file, line: 0 } });
      continue;
    }
    for (const [line, no] of lines(src.data)) {
      switch (src.kind) {
        case 'hdb':
        case 'hsb':
        case 'mdb':
        case 'msb':
        case 'fp':
        case 'sfp': {
          const section = src.kind === 'mdb' || src.kind === 'msb';
          const r = parseHashLine(line, section);
          if (!r.ok) {
            if ('skip' in r) bump('flevel_skipped');
            else malformed(ext, src.file, no, r.error);
            break;
          }
          const nameBytes = line.subarray(r.nameStart, r.nameEnd);
          if (src.kind === 'fp' || src.kind === 'sfp') {
            allowHashes.addBytes(r.digest, r.size, nameBytes);
          } else {
            if (anyIgnores && isIgnored(hashLineName(line, r), line)) {
              bump('ignored');
              break;
            }
            (section ? sectionHashes : fileHashes).addBytes(r.digest, r.size, nameBytes, suffixBytes);
          }
          bump(src.kind);
          break;
        }
        case 'ndb':
        case 'ldb': {
          const text = Buffer.from(line).toString('latin1');
          const ref = { file: src.file, line: no };
          const r = src.kind === 'ndb' ? parseNdbLine(text, ref) : parseLdbLine(text, ref);
          if (!r.ok) {
            if ('skip' in r) bump('flevel_skipped');
            else malformed(ext, src.file, no, r.error);
            break;
          }
          if (isIgnored(r.record.name, line)) {
            bump('ignored');
            break;
          }
          r.record.name += suffix;
          if ('hex' in r.record) body.push(r.record);
          else logical.push(r.record);
          bump(src.kind);
          break;
        }
        default:
          break;
      }
    }
  }

  for (const [i, text] of builtinNdbLines().entries()) {
    const r = parseNdbLine(text, { file: '(built-in)', line: i + 1 });
    if (!r.ok) throw new MoatError('INTERNAL', `built-in database line ${i + 1} is invalid`);
    body.push(r.record);
    bump('builtin');
  }

  const db: SignatureDatabase = {
    version: versions.join(','),
    fileHashes: fileHashes.build(),
    sectionHashes: sectionHashes.build(),
    allowHashes: allowHashes.build(),
    ignored: [...ignoredAny, ...[...ignoredByLine.keys()].map((n) => `${n}:(line-specific)`)],
    body,
    logical,
    skipped,
    counts,
  };
  options.logger?.info({ version: db.version, counts, skipped: skipped.length }, 'signature databases loaded');
  return db;
}

/** One line per problem, for `moat scan` and the daemon log: malformed lines with file:line, unsupported kinds with counts. */
export function describeSkipped(db: SignatureDatabase): string[] {
  return db.skipped.map((s) =>
    s.reason === 'malformed' ? `${s.source.file}:${s.source.line}: malformed ${s.kind} signature: ${s.message}` : `${s.source.file}: ${s.message}`,
  );
}
