import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot, createScanner } from '../../scanner.js';
import { EICAR } from '../../sigdb/builtin-database.js';

const { snapshot } = await buildSnapshot({ paths: [], strict: false, pua: false });
const scanner = createScanner({ snapshot, workers: 1, heuristics: new Set(['mail_ambiguity', 'double_extension']) });
after(() => scanner.close());
const b64 = Buffer.from(EICAR).toString('base64').replace(/(.{20})/g, '$1\r\n');

function message(parts: string): string {
  return `From: a@example.com\r\nTo: b@example.com\r\nSubject: test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nHello\r\n${parts}--XX--\r\n`;
}

test('a base64 EICAR attachment is found, with its MIME path and filename', async () => {
  const r = await scanner.scan({ kind: 'buffer', data: Buffer.from(message(`--XX\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="eicar.com"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n`)) }, { isMail: true });
  assert.equal(r.verdict, 'infected');
  const hit = r.root.children.find((c) => c.state === 'infected')!;
  assert.equal(hit.name, 'eicar.com');
  assert.equal(hit.mimePath, '2');
  assert.equal(r.root.children.find((c) => c.mimePath === '1')!.state, 'clean');
});

test('an attachment hidden behind a duplicate Content-Type is still scanned, and the ambiguity flagged', async () => {
  const msg = `From: a@example.com\r\nContent-Type: text/plain\r\nContent-Type: multipart/mixed; boundary=QQ\r\n\r\n--QQ\r\nContent-Type: application/octet-stream; name=x.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--QQ--\r\n`;
  const r = await scanner.scan({ kind: 'buffer', data: Buffer.from(msg) }, { isMail: true, allMatch: true });
  assert.equal(r.verdict, 'infected');
  assert.ok(r.detections.includes('Eicar-Test-Signature'));
  assert.ok(r.detections.includes('Heuristics.Mail.Ambiguous.DuplicateContentType'));
});

test('every message of an mbox is scanned as its own child', async () => {
  const one = message('');
  const two = message(`--XX\r\nContent-Type: application/octet-stream; name=e.com\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n`);
  const mbox = `From a@example.com Sat Nov 21 10:00:00 2026\n${one}\nFrom b@example.com Sat Nov 21 10:01:00 2026\n${two}\n`;
  const r = await scanner.scan({ kind: 'buffer', data: Buffer.from(mbox) });
  assert.equal(r.verdict, 'infected');
  assert.deepEqual(r.root.children.map((c) => c.name), ['message 1', 'message 2']);
  const infectedIn = r.root.children.map((m) => m.children.filter((c) => c.state === 'infected').map((c) => c.name));
  assert.deepEqual(infectedIn, [[], ['e.com']]);
});

test('uuencoded EICAR inside a text body is found', async () => {
  const uu = Buffer.from(EICAR);
  const lines: string[] = [];
  for (let i = 0; i < uu.length; i += 45) {
    const chunk = uu.subarray(i, i + 45);
    let line = String.fromCharCode(32 + chunk.length);
    for (let j = 0; j < chunk.length; j += 3) {
      const [a = 0, b = 0, c = 0] = [chunk[j], chunk[j + 1], chunk[j + 2]];
      for (const v of [a >> 2, ((a & 3) << 4) | (b >> 4), ((b & 15) << 2) | (c >> 6), c & 63]) line += String.fromCharCode(v === 0 ? 96 : v + 32);
    }
    lines.push(line);
  }
  const msg = `From: a@example.com\nSubject: uu\n\nsee attached\nbegin 644 eicar.com\n${lines.join('\n')}\n\`\nend\n`;
  const r = await scanner.scan({ kind: 'buffer', data: Buffer.from(msg) }, { isMail: true });
  assert.equal(r.verdict, 'infected');
});

test('winmail.dat (TNEF) and yEnc/BinHex blocks inside mail are opened and scanned', async () => {
  const { buildTnef } = await import('../../../../test/fixtures/containers/tnef-fixtures.js');
  const tnef = buildTnef([{ title: 'EICAR.COM', longName: 'invoice.com', data: Buffer.from(EICAR) }]).toString('base64').replace(/(.{76})/g, '$1\r\n');
  const r = await scanner.scan({ kind: 'buffer', data: Buffer.from(message(`--XX\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\nContent-Transfer-Encoding: base64\r\n\r\n${tnef}\r\n`)) }, { isMail: true });
  assert.equal(r.verdict, 'infected');
  const winmail = r.root.children.find((c) => c.name === 'winmail.dat')!;
  assert.equal(winmail.children.find((c) => c.state === 'infected')!.name, 'invoice.com');

  let y = '';
  for (const b of Buffer.from(EICAR)) {
    const c = (b + 42) & 255;
    y += c === 0 || c === 10 || c === 13 || c === 61 ? `=${String.fromCharCode((c + 64) & 255)}` : String.fromCharCode(c);
  }
  const ymsg = `From: a@example.com\r\nSubject: y\r\n\r\nfile follows\r\n=ybegin line=128 size=${EICAR.length} name=e.com\r\n${y}\r\n=yend size=${EICAR.length}\r\n`;
  const ry = await scanner.scan({ kind: 'buffer', data: Buffer.from(ymsg, 'latin1') }, { isMail: true });
  assert.equal(ry.verdict, 'infected');
  assert.ok(ry.root.children.some((c) => c.name === 'e.com' && c.state === 'infected'));
});

test('a part reachable only through a boundary hidden in a comment is scanned and flagged', async () => {
  const msg = `From: a@example.com\r\nContent-Type: multipart/mixed; (boundary=fake) boundary=real\r\n\r\n--fake\r\nContent-Type: application/octet-stream; name=e.com\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--fake--\r\n--real\r\n\r\nhello\r\n--real--\r\n`;
  const r = await scanner.scan({ kind: 'buffer', data: Buffer.from(msg) }, { isMail: true, allMatch: true });
  assert.equal(r.verdict, 'infected');
  assert.ok(r.detections.includes('Heuristics.Mail.Ambiguous.BoundaryInComment'));
});
