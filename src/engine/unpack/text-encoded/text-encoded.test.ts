import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findYenc } from './yenc-decode.js';
import { crc16Xmodem, findBinhex } from './binhex-decode.js';
import { findTextEncoded, mayHoldTextEncoded } from './find-text-encoded.js';
import { EICAR_BYTES } from '../../../../test/fixtures/containers/test-context.js';

/** yEnc as the spec (yenc.org 1.3) writes it: +42, escape NUL LF CR = with `=` and +64, 128-byte lines. */
function yencode(name: string, data: Uint8Array): string {
  let body = '';
  let line = '';
  for (const b of data) {
    const c = (b + 42) & 255;
    line += c === 0 || c === 10 || c === 13 || c === 61 ? `=${String.fromCharCode((c + 64) & 255)}` : String.fromCharCode(c);
    if (line.length >= 128) {
      body += `${line}\r\n`;
      line = '';
    }
  }
  if (line) body += `${line}\r\n`;
  return `=ybegin line=128 size=${data.length} name=${name}\r\n${body}=yend size=${data.length}\r\n`;
}

const HQX = '!"#$%&\'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr';

/** BinHex 4.0 per RFC 1741: header, data fork, resource fork with CRCs, RLE, 6-bit text, 64-char lines. */
function binhex(name: string, data: Uint8Array, rsrc: Uint8Array = new Uint8Array(0)): string {
  const n = Buffer.from(name, 'latin1');
  const hdr = Buffer.alloc(1 + n.length + 1 + 4 + 4 + 2 + 4 + 4);
  hdr[0] = n.length;
  n.copy(hdr, 1);
  hdr.write('TEXTttxt', 2 + n.length, 'latin1');
  hdr.writeUInt32BE(data.length, hdr.length - 8);
  hdr.writeUInt32BE(rsrc.length, hdr.length - 4);
  const crc = (b: Uint8Array) => Buffer.from([crc16Xmodem(b) >> 8, crc16Xmodem(b) & 255]);
  const plain = Buffer.concat([hdr, crc(hdr), data, crc(data), rsrc, crc(rsrc)]);
  const rle: number[] = [];
  for (let i = 0; i < plain.length; ) {
    const b = plain[i]!;
    let run = 1;
    while (i + run < plain.length && plain[i + run] === b && run < 255) run++;
    if (b === 0x90) {
      rle.push(0x90, 0);
      i += 1;
    } else if (run >= 3) {
      rle.push(b, 0x90, run);
      i += run;
    } else {
      rle.push(b);
      i += 1;
    }
  }
  let text = '';
  for (let i = 0; i < rle.length; i += 3) {
    const [a = 0, b = 0, c = 0] = [rle[i], rle[i + 1], rle[i + 2]];
    const q = [a >> 2, ((a & 3) << 4) | (b >> 4), ((b & 15) << 2) | (c >> 6), c & 63];
    const keep = rle.length - i >= 3 ? 4 : rle.length - i + 1;
    for (const v of q.slice(0, keep)) text += HQX[v];
  }
  const lines = (`:${text}:`.match(/.{1,64}/g) ?? []).join('\n');
  return `(This file must be converted with BinHex 4.0)\n${lines}\n`;
}

test('yEnc: decodes escapes exactly, keeps the name, notes truncation', () => {
  const all = Uint8Array.from({ length: 512 }, (_v, i) => i & 255);
  const [f] = findYenc(`hello\r\n${yencode('all bytes.bin', all)}bye\r\n`, 4, 1 << 20);
  assert.equal(f!.name, 'all bytes.bin');
  assert.deepEqual(Buffer.from(f!.data), Buffer.from(all));
  assert.deepEqual(f!.notes, []);
  const cut = yencode('e.com', EICAR_BYTES).split('=yend')[0]!;
  const [t] = findYenc(cut, 4, 1 << 20);
  assert.deepEqual(Buffer.from(t!.data), Buffer.from(EICAR_BYTES));
  assert.match(t!.notes.join(), /truncated/);
  assert.equal(findYenc(yencode('big', all), 4, 100)[0]!.data.length, 100);
});

test('BinHex 4.0: data and resource forks, RLE, CRC checked', () => {
  const data = Buffer.concat([Buffer.from(EICAR_BYTES), Buffer.alloc(300, 0x41), Buffer.from([0x90, 0x90, 1, 2])]);
  const files = findBinhex(`see below\n\n${binhex('eicar.com', data, Buffer.from('RSRC'))}`, 4, 1 << 20);
  assert.deepEqual(files.map((f) => f.name), ['eicar.com', 'eicar.com.rsrc']);
  assert.deepEqual(Buffer.from(files[0]!.data), data);
  assert.deepEqual(files[0]!.notes, []);
  assert.equal(Buffer.from(files[1]!.data).toString(), 'RSRC');
  const good = binhex('x', data);
  const mid = good.indexOf(':') + 40;
  const bad = good.slice(0, mid) + (good[mid] === 'A' ? 'C' : 'A') + good.slice(mid + 1);
  assert.ok(findBinhex(bad, 4, 1 << 20)[0]!.notes.length > 0, 'corruption is noted, not thrown');
});

test('findTextEncoded finds uuencode, uuencode -m, yEnc and BinHex in one body', () => {
  const b64 = Buffer.from(EICAR_BYTES).toString('base64');
  const text = `x\nbegin-base64 644 m.com\n${b64}\n====\n${yencode('y.com', EICAR_BYTES)}${binhex('b.com', EICAR_BYTES)}`;
  const found = findTextEncoded(text, 10, 1 << 20);
  assert.deepEqual(found.map((f) => f.name), ['m.com', 'y.com', 'b.com']);
  for (const f of found) assert.deepEqual(Buffer.from(f.data), Buffer.from(EICAR_BYTES));
  assert.equal(findTextEncoded(text, 2, 1 << 20).length, 2);
});

test('mayHoldTextEncoded: false only where findTextEncoded can find nothing', () => {
  const b64 = Buffer.from(EICAR_BYTES).toString('base64');
  for (const body of [`begin-base64 644 m.com\n${b64}\n====\n`, yencode('y.com', EICAR_BYTES), binhex('b.com', EICAR_BYTES)]) {
    assert.equal(findTextEncoded(body, 4, 1 << 20).length, 1);
    assert.equal(mayHoldTextEncoded(Buffer.from(body, 'latin1')), true);
  }
  assert.equal(mayHoldTextEncoded(Buffer.from('Lorem ipsum\r\nBEGIN 644 x\r\n')), false);
  const seeds = [yencode('a', EICAR_BYTES), binhex('b', EICAR_BYTES), `begin 644 u.com\n${'M'.repeat(61)}\n\`\nend\n`];
  fc.assert(
    fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }), fc.string({ maxLength: 100 }), (seed, edits, junk) => {
      const chars = [...junk + seed];
      for (const [at, v] of edits) chars[at % chars.length] = String.fromCharCode(v);
      const text = chars.join('');
      if (findTextEncoded(text, 8, 1 << 20).length > 0) assert.ok(mayHoldTextEncoded(Buffer.from(text, 'latin1')));
    }),
    { numRuns: 1500 },
  );
});

test('property: decoders never throw and respect the byte cap', () => {
  const seeds = [yencode('a', EICAR_BYTES), binhex('b', EICAR_BYTES)];
  fc.assert(
    fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }), fc.string({ maxLength: 200 }), (seed, edits, junk) => {
      const chars = [...seed];
      for (const [at, v] of edits) chars[at % chars.length] = String.fromCharCode(v);
      for (const f of findTextEncoded(chars.join('') + junk, 8, 64)) assert.ok(f.data.length <= 64);
    }),
    { numRuns: 1500 },
  );
});
