import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import type { ObjectState, Scanner } from '../../core/verdict.js';
import { replyForError, replyForReport } from './clamd-outcome.js';
import type { ScanGate } from './scan-gate.js';

/**
 * SCAN / CONTSCAN / MULTISCAN / ALLMATCHSCAN of a file or directory tree the caller wrote
 * (Amavis temp directories, Exim's spool/scan). Confined to allow-listed roots; symbolic
 * links inside the tree are skipped unless configured, as clamd does.
 */
export type PathMode = 'scan' | 'contscan' | 'multiscan' | 'allmatch';

export interface PathScanOptions {
  scanner: Scanner;
  gate: ScanGate;
  /** Real paths of the allowed roots. */
  roots: readonly string[];
  followFileSymlinks: boolean;
  followDirectorySymlinks: boolean;
  errorStates: ReadonlySet<ObjectState>;
  signal?: AbortSignal;
}

// clamd's MaxDirectoryRecursion default: deep enough for any MIME-decoding temp tree.
const MAX_DIRECTORY_DEPTH = 15;
// MULTISCAN runs at most this many files of one request at once; the gate bounds the total.
const MULTISCAN_PARALLEL = 8;

function underRoot(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep));
}

/** Emits reply bodies (`<path>: …`) through `emit`, in the order results are known. */
export async function scanPath(path: string, mode: PathMode, options: PathScanOptions, emit: (line: string) => void): Promise<void> {
  if (!isAbsolute(path)) {
    emit(`${path}: File path check failure: No such file or directory. ERROR`);
    return;
  }
  let real: string;
  try {
    await lstat(path);
    real = await realpath(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const text = code === 'EACCES' ? 'Permission denied' : 'No such file or directory';
    emit(`${path}: File path check failure: ${text}. ERROR`);
    return;
  }
  if (!underRoot(real, options.roots)) {
    emit(`${path}: Access denied. ERROR`);
    return;
  }
  let found = false;
  let failed = false;
  const stopAtFirst = mode === 'scan';
  const files: string[] = [];
  const collect = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DIRECTORY_DEPTH) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      emit(`${dir}: Access denied. ERROR`);
      failed = true;
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const target = await stat(full).catch(() => undefined);
        if (target?.isFile() && options.followFileSymlinks) files.push(full);
        else if (target?.isDirectory() && options.followDirectorySymlinks) await collect(full, depth + 1);
      } else if (entry.isDirectory()) await collect(full, depth + 1);
      else if (entry.isFile()) files.push(full);
    }
  };

  const top = await stat(real);
  if (top.isDirectory()) await collect(real, 0);
  else if (top.isFile()) files.push(real);
  else {
    emit(`${path}: Not a regular file ERROR`);
    return;
  }
  // Replies name the path as the caller wrote it, like clamd does for the top-level argument.
  const shown = (file: string) => (file === real ? path : real === path ? file : path + file.slice(real.length));
  const scanShown = async (file: string) => {
    const label = shown(file);
    if (stopAtFirst && found) return;
    const result = await options.gate
      .run(() => options.scanner.scan({ kind: 'file', path: file }, { signal: options.signal, allMatch: mode === 'allmatch' }))
      .then(
        (report) => replyForReport(label, report, mode === 'allmatch', options.errorStates),
        (err) => replyForError(label, err),
      );
    if (stopAtFirst && found) return;
    if (result.infected) found = true;
    if (result.error) failed = true;
    if (result.infected || result.error) for (const line of result.lines) emit(line);
  };
  if (mode === 'multiscan') {
    let next = 0;
    const worker = async () => {
      while (next < files.length) await scanShown(files[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(MULTISCAN_PARALLEL, files.length) }, worker));
  } else {
    for (const file of files) {
      if (stopAtFirst && found) break;
      await scanShown(file);
    }
  }
  if (!found && !failed) emit(`${path}: OK`);
}
