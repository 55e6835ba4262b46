/** One cpio header in any of the four formats, decoded to what the unpacker needs. */
export interface CpioHeader {
  format: 'odc' | 'newc' | 'crc' | 'bin-le' | 'bin-be';
  mode: number;
  nameSize: number;
  fileSize: number;
  /** Header length in bytes. */
  headerSize: number;
  /** Byte alignment of name end and data end (newc/crc: 4, binary: 2, odc: 1). */
  align: number;
}

function ascii(b: Uint8Array, off: number, len: number): string {
  return Buffer.from(b.subarray(off, off + len)).toString('latin1');
}

function num(s: string, radix: 8 | 16): number {
  const re = radix === 8 ? /^[0-7]+$/u : /^[0-9a-fA-F]+$/u;
  return re.test(s) ? parseInt(s, radix) : NaN;
}

export function parseCpioHeader(b: Uint8Array, p: number): CpioHeader | undefined {
  if (p + 6 > b.length) return undefined;
  const magic = ascii(b, p, 6);
  if (magic === '070707' && p + 76 <= b.length) {
    const mode = num(ascii(b, p + 18, 6), 8);
    const nameSize = num(ascii(b, p + 59, 6), 8);
    const fileSize = num(ascii(b, p + 65, 11), 8);
    if ([mode, nameSize, fileSize].some(Number.isNaN)) return undefined;
    return { format: 'odc', mode, nameSize, fileSize, headerSize: 76, align: 1 };
  }
  if ((magic === '070701' || magic === '070702') && p + 110 <= b.length) {
    const f = (i: number): number => num(ascii(b, p + 6 + i * 8, 8), 16);
    const mode = f(1);
    const fileSize = f(6);
    const nameSize = f(11);
    if ([mode, nameSize, fileSize].some(Number.isNaN)) return undefined;
    return { format: magic === '070701' ? 'newc' : 'crc', mode, nameSize, fileSize, headerSize: 110, align: 4 };
  }
  if (p + 26 <= b.length) {
    const le = b[p] === 0xc7 && b[p + 1] === 0x71;
    const be = b[p] === 0x71 && b[p + 1] === 0xc7;
    if (!le && !be) return undefined;
    const w = (i: number): number => (le ? b[p + i * 2]! | (b[p + i * 2 + 1]! << 8) : (b[p + i * 2]! << 8) | b[p + i * 2 + 1]!);
    return { format: le ? 'bin-le' : 'bin-be', mode: w(3), nameSize: w(10), fileSize: w(11) * 65536 + w(12), headerSize: 26, align: 2 };
  }
  return undefined;
}

export function alignUp(n: number, a: number): number {
  return a <= 1 ? n : Math.ceil(n / a) * a;
}
