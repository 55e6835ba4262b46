import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectFileType } from './detect-file-type.js';

const t = (s: string | number[], name?: string): string => detectFileType(typeof s === 'string' ? Buffer.from(s, 'latin1') : Uint8Array.from(s), name);

test('magic numbers', () => {
  assert.equal(t([0x7f, 0x45, 0x4c, 0x46, 2, 1]), 'CL_TYPE_ELF');
  assert.equal(t('MZ\x90\x00'), 'CL_TYPE_MSEXE');
  assert.equal(t('PK\x03\x04rest'), 'CL_TYPE_ZIP');
  assert.equal(t('%PDF-1.7\n'), 'CL_TYPE_PDF');
  assert.equal(t([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'CL_TYPE_MSOLE2');
  assert.equal(t('GIF89a....'), 'CL_TYPE_GIF');
  assert.equal(t([0x1f, 0x8b, 8, 0]), 'CL_TYPE_GZ');
  assert.equal(t([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]), 'CL_TYPE_MACHO_UNIBIN');
  assert.equal(t([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]), 'CL_TYPE_JAVA');
  assert.equal(t(`${'\0'.repeat(257)}ustar\x0000`), 'CL_TYPE_POSIX_TAR');
});

test('mail, HTML, text kinds and binary as ClamAV types them', () => {
  assert.equal(t('Received: from x by y\r\nSubject: hi\r\n\r\nbody'), 'CL_TYPE_MAIL');
  assert.equal(t('X-Spam: no\nFrom: a@b\nMIME-Version: 1.0\nContent-Type: text/plain\n\nhi'), 'CL_TYPE_MAIL');
  assert.equal(t('<!doctype html><HTML><body>hi</body>'), 'CL_TYPE_HTML');
  assert.equal(t('see <script src=x></script>'), 'CL_TYPE_HTML');
  assert.equal(t('plain words only\n'), 'CL_TYPE_TEXT_ASCII');
  assert.equal(t('caf\xe9 latin-1 is "ASCII" for ClamAV'), 'CL_TYPE_TEXT_ASCII');
  assert.equal(t([0x63, 0x61, 0x00, 0x01, 0xc3, 0xa9]), 'CL_TYPE_BINARY_DATA');
  // ClamAV's BOM-less UTF-16 test accepts data whose 16-bit units are never ASCII controls.
  assert.equal(t([0x63, 0x61, 0x66, 0xc3, 0xa9, 0x01]), 'CL_TYPE_TEXT_UTF16BE');
  // Every byte ≥ 0x80 counts as text for ClamAV, so UTF-8 text types as ASCII.
  assert.equal(t([0x63, 0x61, 0x66, 0xc3, 0xa9, 0x0a]), 'CL_TYPE_TEXT_ASCII');
  assert.equal(t([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00]), 'CL_TYPE_TEXT_UTF16LE');
  assert.equal(t([0x00, 0x01, 0x00, 0x02, 0x41]), 'CL_TYPE_BINARY_DATA');
  assert.equal(t('a < b and c > d', 'page.html'), 'CL_TYPE_HTML');
  assert.equal(t('a < b and c > d', 'notes.txt'), 'CL_TYPE_TEXT_ASCII');
  assert.equal(t([]), 'CL_TYPE_BINARY_DATA');
});
