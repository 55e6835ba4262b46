/**
 * Reads the members of a CVD/CLD body (a plain ustar archive). Bounded and defensive: this
 * runs before the signature is known to be good, so a hostile file must not hurt us.
 */
export interface TarMember {
  name: string;
  data: Uint8Array;
}

/** CVDs hold about a dozen members; 4,096 bounds a hostile file. */
const MAX_MEMBERS = 4096;

function octal(block: Uint8Array, offset: number, length: number): number | undefined {
  const text = Buffer.from(block.subarray(offset, offset + length)).toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return undefined;
  return parseInt(text, 8);
}

export function readTarMembers(body: Uint8Array): TarMember[] | string {
  const members: TarMember[] = [];
  let pos = 0;
  while (pos + 512 <= body.length) {
    const header = body.subarray(pos, pos + 512);
    if (header.every((b) => b === 0)) break;
    const nameEnd = header.indexOf(0);
    const name = Buffer.from(header.subarray(0, nameEnd < 0 || nameEnd > 100 ? 100 : nameEnd)).toString('latin1');
    const size = octal(header, 124, 12);
    if (size === undefined) return `tar member "${name}": bad size field`;
    const type = header[156];
    const dataStart = pos + 512;
    if (dataStart + size > body.length) return `tar member "${name}": truncated (${size} bytes declared)`;
    if (type === 0 || type === 48 /* '0' */) {
      if (name.includes('/') || name.startsWith('.')) return `tar member "${name}": unexpected path`;
      members.push({ name, data: body.subarray(dataStart, dataStart + size) });
      if (members.length > MAX_MEMBERS) return `more than ${MAX_MEMBERS} members`;
    }
    pos = dataStart + Math.ceil(size / 512) * 512;
  }
  return members;
}
