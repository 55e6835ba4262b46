/**
 * The MIME model: what the streaming parser produces and what the engine, anti-spam and
 * policy read. Byte offsets let rewrites keep untouched parts byte-identical.
 */
export interface HeaderField {
  /** Name as written (case preserved). */
  name: string;
  /** Unfolded value, RFC 2047 words decoded. */
  value: string;
  /** Raw bytes of the whole field including the name and folding, for byte-exact rewrite. */
  raw: Uint8Array;
}

/** A way the message can be read differently by different clients (DESIGN.md §4, "ambiguity is a finding"). */
export interface MimeAmbiguity {
  kind: string;
  detail: string;
  /** Part path where it was seen. */
  path: string;
}

export interface MimePart {
  /** `1`, `1.2`, `1.2.1`... the root message is `` (empty) and its body parts start at `1`. */
  path: string;
  headers: HeaderField[];
  /** Lower-cased `type/subtype`, defaulted per RFC 2045 (text/plain; in multipart/digest message/rfc822). */
  contentType: string;
  /** Parameters of Content-Type, RFC 2231 continuations and encodings decoded, names lower-cased. */
  contentTypeParams: Record<string, string>;
  disposition?: string;
  /** From Content-Disposition filename or Content-Type name, decoded. */
  filename?: string;
  charset?: string;
  transferEncoding: string;
  /** Byte range of the part (headers + body) and of its body in the original message. */
  start: number;
  end: number;
  bodyStart: number;
  bodyEnd: number;
  children: MimePart[];
  /** Decoded body (transfer encoding removed) for leaf parts. */
  decoded?: Uint8Array;
  /** Text of text/* parts, charset converted to UTF-8. */
  text?: string;
}

export interface ParsedMail {
  root: MimePart;
  /** Flattened leaf parts in document order. */
  leaves: MimePart[];
  ambiguities: MimeAmbiguity[];
  /** Parser limits hit (header size, part count, depth...). */
  limitsHit: string[];
}
