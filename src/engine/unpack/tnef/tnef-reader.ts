/** TNEF attribute stream (MS-OXTNEF 2.1.3): signature, key, then level/id/length/data/checksum records. */

export const TNEF_SIGNATURE = 0x223e9f78;
export const LVL_MESSAGE = 1;
export const LVL_ATTACHMENT = 2;
/** Attribute ids (low word id, high word type), MS-OXTNEF 2.1.3.3. */
export const ATT_ATTACH_DATA = 0x0006800f;
export const ATT_ATTACH_TITLE = 0x00018010;
export const ATT_ATTACH_REND_DATA = 0x00069002;
export const ATT_ATTACHMENT = 0x00069005;
export const ATT_MSG_PROPS = 0x00069003;

/** Attributes read from one stream; real winmail.dat files have tens to a few hundred. */
const MAX_ATTRIBUTES = 100_000;

export interface TnefAttribute {
  level: number;
  id: number;
  data: Uint8Array;
  checksumOk: boolean;
}

export interface TnefStream {
  attributes: TnefAttribute[];
  /** Why reading stopped early (bad signature, truncated record, too many attributes). */
  problem?: string;
}

export function readTnef(buf: Uint8Array): TnefStream {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const attributes: TnefAttribute[] = [];
  if (buf.length < 6 || dv.getUint32(0, true) !== TNEF_SIGNATURE) return { attributes, problem: 'not a TNEF stream' };
  let pos = 6;
  while (pos < buf.length) {
    if (attributes.length >= MAX_ATTRIBUTES) return { attributes, problem: 'too many attributes' };
    if (pos + 9 > buf.length) return { attributes, problem: 'truncated attribute header' };
    const level = buf[pos]!;
    const id = dv.getUint32(pos + 1, true);
    const len = dv.getUint32(pos + 5, true);
    const start = pos + 9;
    if (start + len + 2 > buf.length) {
      attributes.push({ level, id, data: buf.subarray(start, Math.min(buf.length, start + len)), checksumOk: false });
      return { attributes, problem: 'truncated attribute' };
    }
    const data = buf.subarray(start, start + len);
    let sum = 0;
    for (const b of data) sum = (sum + b) & 0xffff;
    attributes.push({ level, id, data, checksumOk: sum === dv.getUint16(start + len, true) });
    pos = start + len + 2;
  }
  return { attributes };
}
