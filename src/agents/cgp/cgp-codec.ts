/**
 * CommuniGate Pro external-filter ("helper") lines (cgp-helper.md §3–4):
 * requests `<seq> <COMMAND> [args]`, responses `<seq> <RESPONSE …>`, one line each.
 */
export interface CgpRequest {
  seq: string;
  command: string;
  args: string;
}

// CGP reads response lines into 4 KiB buffers (CgpDrweb, cgpav): never write longer lines.
export const MAX_RESPONSE_LINE = 4096;

/** Parses one request line (LF or CRLF already stripped); undefined for blank or malformed lines. */
export function parseCgpRequest(line: string): CgpRequest | undefined {
  const m = /^(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line.replace(/\r$/, ''));
  if (!m) return undefined;
  return { seq: m[1]!, command: m[2]!.toUpperCase(), args: m[3] ?? '' };
}

/** C-style quoted string: `\\`, `\"`, `\t`; `\e` separates header fields; other control characters dropped. */
export function quoteCgp(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\e';
    else if (ch === '\r' || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) continue;
    else out += ch;
  }
  return `"${out}"`;
}

/** Header fields for ADDHEADER: `Name: value` joined by line breaks (encoded as `\e`). */
export function headerBlock(headers: ReadonlyArray<{ name: string; value: string }>): string {
  return headers.map((h) => `${h.name}: ${h.value.replace(/\r?\n[ \t]*/g, ' ')}`).join('\n');
}

export function responseLine(seq: string, body: string): string {
  const line = `${seq} ${body}`;
  return Buffer.byteLength(line) + 1 > MAX_RESPONSE_LINE ? `${seq} ${body.startsWith('ADDHEADER') ? 'OK' : body.slice(0, 200)}` : line;
}
