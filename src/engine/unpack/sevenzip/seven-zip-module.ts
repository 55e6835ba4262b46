import SevenZip from '7z-wasm';

/** The parts of the 7z-wasm (7-Zip 24.09 compiled with Emscripten) module we use. */
export interface SevenZipInstance {
  callMain(args: string[]): number | undefined;
  FS: {
    writeFile(path: string, data: Uint8Array): void;
    readFile(path: string): Uint8Array;
    readdir(path: string): string[];
    mkdir(path: string): void;
    stat(path: string): { mode: number; size: number };
    isDir(mode: number): boolean;
    isFile(mode: number): boolean;
    unlink(path: string): void;
  };
}

/**
 * A fresh 7-Zip instance per archive (~20 ms): a C++ exception or an out-of-memory abort
 * inside one archive can leave the module's state broken, and nothing must leak between
 * scans. stdin is closed so a password prompt can never block; output lines are collected.
 */
type Factory = (opts: Record<string, unknown>) => Promise<unknown>;

/** The package is UMD: under Node's ESM loader the default import is the factory itself. */
function factory(): Factory {
  const m = SevenZip as unknown as Factory | { default: Factory };
  return typeof m === 'function' ? m : m.default;
}

export async function newSevenZip(lines: string[]): Promise<SevenZipInstance> {
  const mod = await factory()({
    print: (s: string) => lines.push(s),
    printErr: (s: string) => lines.push(s),
    stdin: () => null,
  });
  return mod as SevenZipInstance;
}
