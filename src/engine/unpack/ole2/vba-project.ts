import { u16le, u32le } from '../common/byte-reader.js';

/** A module as the `dir` stream describes it: its stream and where its compressed source starts. */
export interface VbaModule {
  name: string;
  streamName: string;
  textOffset: number;
}

/** Records read from `dir` beyond this are ignored: projects have at most a few hundred modules. */
const MAX_RECORDS = 100_000;

/**
 * Parses the decompressed `dir` stream (MS-OVBA §2.3.4.2) just far enough to list modules.
 * Every record is (id u16, size u32, data) except PROJECTVERSION (0x0009), whose size field
 * says 4 but 6 bytes follow.
 */
export function parseVbaDir(dir: Uint8Array): VbaModule[] {
  const modules: VbaModule[] = [];
  let current: Partial<VbaModule> | undefined;
  let p = 0;
  for (let n = 0; n < MAX_RECORDS && p + 6 <= dir.length; n++) {
    const id = u16le(dir, p)!;
    const size = u32le(dir, p + 2)!;
    const body = p + 6;
    const bodyLen = id === 0x0009 ? 6 : size;
    if (body + bodyLen > dir.length) break;
    const text = (): string => Buffer.from(dir.subarray(body, body + bodyLen)).toString('latin1');
    switch (id) {
      case 0x0019: // MODULENAME
        current = { name: text(), textOffset: 0 };
        break;
      case 0x0047: // MODULENAMEUNICODE
        if (current) current.name = Buffer.from(dir.subarray(body, body + bodyLen)).toString('utf16le');
        break;
      case 0x001a: // MODULESTREAMNAME
        if (current) current.streamName = text();
        break;
      case 0x0031: // MODULEOFFSET
        if (current) current.textOffset = u32le(dir, body) ?? 0;
        break;
      case 0x002b: // module terminator
        if (current?.name !== undefined) modules.push({ name: current.name, streamName: current.streamName ?? current.name, textOffset: current.textOffset ?? 0 });
        current = undefined;
        break;
      default:
        break;
    }
    p = body + bodyLen;
  }
  return modules;
}
