/** MAPI property lists inside TNEF (MS-OXTNEF 2.1.3.5): just enough to find attachment names and embedded objects. */

export const PR_ATTACH_DATA_OBJ = 0x3701;
export const PR_ATTACH_FILENAME = 0x3704;
export const PR_ATTACH_LONG_FILENAME = 0x3707;
export const PR_DISPLAY_NAME = 0x3001;
export const PR_RTF_COMPRESSED = 0x1009;
export const PR_HTML = 0x1013;

const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;
const PT_OBJECT = 0x000d;
const MV_FLAG = 0x1000;

/** Properties read from one list; a list claiming more is hostile (real ones have tens). */
const MAX_PROPS = 4096;

export interface MapiProp {
  id: number;
  type: number;
  /** Raw value bytes (first value of a multi-valued property); strings decoded in `text`. */
  value: Uint8Array;
  text?: string;
}

function fixedSize(type: number): number | undefined {
  switch (type) {
    case 0x0001: // PT_NULL
    case 0x0002: // PT_I2 (padded to 4)
    case 0x0003: // PT_LONG
    case 0x0004: // PT_R4
    case 0x000a: // PT_ERROR
    case 0x000b: // PT_BOOLEAN (padded to 4)
      return 4;
    case 0x0005: // PT_DOUBLE
    case 0x0006: // PT_CURRENCY
    case 0x0007: // PT_APPTIME
    case 0x0014: // PT_I8
    case 0x0040: // PT_SYSTIME
      return 8;
    case 0x0048: // PT_CLSID
      return 16;
    default:
      return undefined;
  }
}

/** Parses a property list; stops (returning what was read) at the first thing that does not fit. */
export function readMapiProps(buf: Uint8Array): { props: MapiProp[]; complete: boolean } {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const props: MapiProp[] = [];
  const u32 = (at: number): number | undefined => (at + 4 <= buf.length ? dv.getUint32(at, true) : undefined);
  const count = u32(0);
  if (count === undefined) return { props, complete: false };
  let pos = 4;
  for (let i = 0; i < Math.min(count, MAX_PROPS); i++) {
    if (pos + 4 > buf.length) return { props, complete: false };
    const type = dv.getUint16(pos, true);
    const id = dv.getUint16(pos + 2, true);
    pos += 4;
    if (id >= 0x8000) {
      // Named property: GUID, kind, then a number or a length-prefixed UTF-16 name padded to 4.
      const kind = u32(pos + 16);
      if (kind === undefined) return { props, complete: false };
      pos += 20;
      if (kind === 0) pos += 4;
      else {
        const len = u32(pos);
        if (len === undefined) return { props, complete: false };
        pos += 4 + len + ((4 - (len % 4)) % 4);
      }
    }
    const base = type & ~MV_FLAG;
    const multi = (type & MV_FLAG) !== 0;
    const variable = base === PT_STRING8 || base === PT_UNICODE || base === PT_BINARY || base === PT_OBJECT;
    let values = 1;
    if (multi || variable) {
      const n = u32(pos);
      if (n === undefined || n > buf.length) return { props, complete: false };
      values = n;
      pos += 4;
    }
    let first: Uint8Array | undefined;
    for (let v = 0; v < values; v++) {
      let size = fixedSize(base);
      if (variable) {
        const len = u32(pos);
        if (len === undefined) return { props, complete: false };
        pos += 4;
        size = len;
      }
      if (size === undefined || pos + size > buf.length) return { props, complete: false };
      first ??= buf.subarray(pos, pos + size);
      pos += size + (variable ? (4 - (size % 4)) % 4 : 0);
    }
    const prop: MapiProp = { id, type, value: first ?? new Uint8Array(0) };
    if (base === PT_STRING8) prop.text = Buffer.from(prop.value).toString('latin1').replace(/\0+$/, '');
    else if (base === PT_UNICODE) prop.text = Buffer.from(prop.value).toString('utf16le').replace(/\0+$/, '');
    props.push(prop);
  }
  return { props, complete: count <= MAX_PROPS };
}

export function isObjectProp(p: MapiProp): boolean {
  return (p.type & ~MV_FLAG) === PT_OBJECT;
}
