/**
 * The little of the WebAssembly binary format the matcher's hand-written kernels need: LEB128,
 * names, sections, the opcodes they use, and the part of the JS API they call (the project's
 * TypeScript lib has no DOM/wasm types). Each kernel encodes its own function body next to the
 * JavaScript definition it must agree with.
 */

/** The part of the WebAssembly JS API used by the kernels. */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
/** A compiled module (opaque). */
export type WasmModule = { readonly __brand?: 'WasmModule' };
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
export const WASM_PAGE = 65536;

export const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const name = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'latin1')];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

// Opcodes used by the kernels.
export const GET = 0x20, SET = 0x21, TEE = 0x22, CONST = 0x41, ADD = 0x6a, SUB = 0x6b, SHL = 0x74, SHR_U = 0x76, OR = 0x72, AND = 0x71;
export const EQ = 0x46, NE = 0x47, LT_S = 0x48, LT_U = 0x49, GE_S = 0x4e, GE_U = 0x4f;
export const LOAD8_U = 0x2d, LOAD32 = 0x28, STORE8 = 0x3a, STORE32 = 0x36;
export const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, END = 0x0b, BR_IF = 0x0d, RETURN = 0x0f, VOID = 0x40, I32 = 0x7f;

/**
 * A module of one exported function `exportName` over `params` i32 parameters returning one i32,
 * importing its memory as e.m. `body` is the function body: local declarations, code, END.
 */
export function oneFunctionModule(exportName: string, params: number, body: number[]): Uint8Array {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, params, ...Array<number>(params).fill(I32), 1, I32]),
    ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, ...uleb(1)]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name(exportName), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}
