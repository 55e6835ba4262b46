/** A line of a stream, or the report that it was longer than allowed (and skipped unread). */
export type BoundedLine = { lineNo: number; line: string } | { lineNo: number; tooLong: true };

/**
 * Splits a byte stream into UTF-8 lines (LF or CRLF) without ever holding more than `maxBytes`
 * of one line: a longer line is reported as `tooLong` and skipped to its end, so a file with no
 * line breaks cannot fill memory (readline keeps a whole line, however long).
 */
export async function* boundedLines(source: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<BoundedLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  let lineNo = 0;
  const finish = (): BoundedLine => {
    lineNo++;
    if (skipping) {
      skipping = false;
      return { lineNo, tooLong: true };
    }
    const bytes = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
    return { lineNo, line: bytes.toString('utf8', 0, end) };
  };
  const keep = (part: Buffer) => {
    if (skipping) return;
    if (pendingBytes + part.length > maxBytes) {
      skipping = true;
      pending = [];
      pendingBytes = 0;
      return;
    }
    pending.push(part);
    pendingBytes += part.length;
  };
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let from = 0;
    for (let nl = buf.indexOf(10, from); nl >= 0; nl = buf.indexOf(10, from)) {
      keep(buf.subarray(from, nl));
      yield finish();
      from = nl + 1;
    }
    if (from < buf.length) keep(Buffer.from(buf.subarray(from)));
  }
  if (pendingBytes > 0 || skipping) yield finish();
}
