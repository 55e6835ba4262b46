import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMail } from './parse-mail.js';
import { replacePart } from './rewrite/replace-parts.js';
import { addHeaders, tagSubject } from './rewrite/header-rewrite.js';
import type { MimePart } from './types.js';

/** A generated MIME tree: leaves carry bytes, multiparts carry children. */
type Node = { kind: 'leaf'; data: Uint8Array; enc: 'base64' | 'quoted-printable'; name?: string } | { kind: 'multi'; children: Node[] };

const leaf = fc.record({
  kind: fc.constant('leaf' as const),
  data: fc.uint8Array({ maxLength: 300 }),
  enc: fc.constantFrom('base64' as const, 'quoted-printable' as const),
  name: fc.option(fc.stringMatching(/^[a-z]{1,8}\.(exe|txt|zip)$/), { nil: undefined }),
});
const tree = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.record({ kind: fc.constant('multi' as const), children: fc.array(tie('node'), { minLength: 1, maxLength: 4 }) })),
})).node;

/** Strict QP: everything but safe printable ASCII escaped, so the body can never look like a boundary. */
function qp(data: Uint8Array): string {
  let out = '';
  let line = 0;
  for (const b of data) {
    const tok = b >= 33 && b <= 126 && b !== 61 && b !== 45 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (line + tok.length > 75) {
      out += '=\r\n';
      line = 0;
    }
    out += tok;
    line += tok.length;
  }
  return out;
}

function render(n: Node, id: string): string {
  if (n.kind === 'leaf') {
    const name = n.name ? `; name="${n.name}"` : '';
    const body = n.enc === 'base64' ? (Buffer.from(n.data).toString('base64').match(/.{1,76}/g) ?? []).join('\r\n') : qp(n.data);
    return `Content-Type: application/octet-stream${name}\r\nContent-Transfer-Encoding: ${n.enc}\r\n\r\n${body}`;
  }
  // No boundary may be a prefix of another (that is itself an ambiguity the parser reports).
  const b = `=_moat_${id}_z`;
  const parts = n.children.map((c, i) => `--${b}\r\n${render(c, `${id}.${i + 1}`)}\r\n`).join('');
  return `Content-Type: multipart/mixed; boundary="${b}"\r\n\r\npreamble\r\n${parts}--${b}--\r\nepilogue`;
}

function expectedLeaves(n: Node, path: string, out: Array<{ path: string; node: Extract<Node, { kind: 'leaf' }> }>): typeof out {
  if (n.kind === 'leaf') out.push({ path, node: n });
  else n.children.forEach((c, i) => expectedLeaves(c, path === '' ? String(i + 1) : `${path}.${i + 1}`, out));
  return out;
}

const message = (n: Node) => Buffer.from(`From: a@example.com\r\nSubject: gen\r\nMIME-Version: 1.0\r\n${render(n, 'r')}${n.kind === 'multi' ? '\r\n' : ''}`, 'latin1');
const decodedOf = (leaves: MimePart[]) => leaves.map((l) => [l.path, Buffer.from(l.decoded ?? []).toString('hex'), l.filename]);

test('property: generated MIME trees parse back exactly, with no ambiguity, in both readings', () => {
  fc.assert(
    fc.property(tree, (n) => {
      const want = expectedLeaves(n, '', []).map((e) => [e.path, Buffer.from(e.node.data).toString('hex'), e.node.name]);
      for (const reading of ['first', 'last'] as const) {
        const m = parseMail(message(n), { reading });
        assert.deepEqual(m.ambiguities, []);
        assert.deepEqual(decodedOf(m.leaves), want);
      }
    }),
    { numRuns: 300 },
  );
});

test('property: replacing one part leaves every other part byte-identical and decodable', () => {
  fc.assert(
    fc.property(tree.filter((n) => n.kind === 'multi'), fc.nat(), (n, pick) => {
      const msg = message(n);
      const before = parseMail(msg);
      const target = before.leaves[pick % before.leaves.length]!;
      const out = replacePart(msg, target.path, 'removed\n')!;
      assert.ok(out.subarray(0, target.start).equals(msg.subarray(0, target.start)));
      assert.ok(out.subarray(out.length - (msg.length - target.end)).equals(msg.subarray(target.end)));
      const after = parseMail(out);
      assert.deepEqual(after.ambiguities, []);
      assert.deepEqual(
        decodedOf(after.leaves.filter((l) => l.path !== target.path)),
        decodedOf(before.leaves.filter((l) => l.path !== target.path)),
      );
      assert.equal(after.leaves.find((l) => l.path === target.path)!.text, 'removed\r\n');
      const tagged = parseMail(tagSubject(addHeaders(out, [{ name: 'X-Moat', value: 'cleaned' }]), '[V]'));
      assert.deepEqual(decodedOf(tagged.leaves), decodedOf(after.leaves));
    }),
    { numRuns: 200 },
  );
});
