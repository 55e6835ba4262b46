import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SMFIF } from './milter-codec.js';
import { milterReplies, type MilterGroup } from './milter-outcome.js';

/** Each reply as its command letter and, for header edits, "name#index=value". */
function describe(packets: Buffer[]): string[] {
  return packets.map((p) => {
    const command = String.fromCharCode(p[4]!);
    const data = p.subarray(5);
    if (command === 'h') return `h ${data.toString('latin1').split('\0').slice(0, 2).join('=')}`;
    if (command === 'i' || command === 'm') return `${command} ${data.toString('latin1', 4).split('\0').slice(0, 2).join('=')}#${data.readUInt32BE(0)}`;
    return command;
  });
}

const group: MilterGroup = {
  recipients: ['bob@example.com'],
  action: 'accept',
  addHeaders: [{ name: 'X-Spam-Flag', value: 'YES' }],
  removeHeaders: [
    { name: 'X-Spam-Flag', index: 1 },
    { name: 'x-spam-flag', index: 2 },
    { name: 'X-Spam-Status', index: 1 },
  ],
  bodyReplaced: false,
};
const options = { actions: SMFIF.ADDHDRS | SMFIF.CHGHDRS, holdQuarantined: false, rcptArgs: new Map<string, string>(), leadSpace: false };

test('forged fields are deleted last occurrence first, before Moat\'s own go in; at the bottom those are inserted past the end, not added (Sendmail\'s ADDHEADER fills a freed slot)', () => {
  assert.deepEqual(describe(milterReplies([group], { ...options, headerPosition: 'top' })), ['m x-spam-flag=#2', 'm X-Spam-Flag=#1', 'm X-Spam-Status=#1', 'i X-Spam-Flag=YES#0', 'a']);
  assert.deepEqual(describe(milterReplies([group], { ...options, headerPosition: 'bottom' })), ['m x-spam-flag=#2', 'm X-Spam-Flag=#1', 'm X-Spam-Status=#1', 'i X-Spam-Flag=YES#2147483647', 'a']);
  assert.deepEqual(describe(milterReplies([{ ...group, removeHeaders: [] }], { ...options, headerPosition: 'bottom' })), ['h X-Spam-Flag=YES', 'a'], 'nothing deleted: appended as before');
  assert.deepEqual(describe(milterReplies([group], { ...options, actions: SMFIF.ADDHDRS, headerPosition: 'top' })), ['i X-Spam-Flag=YES#0', 'a'], 'no CHGHDRS granted: nothing deleted');
});

test('a tagged Subject goes back with the sender\'s own bytes: raw UTF-8 and Latin-1 are not encoded a second time', async () => {
  const { tagSubject } = await import('../../pipeline/header-rewrite.js');
  for (const raw of [Buffer.from('Grüße aus Köln', 'utf8'), Buffer.from('Grüße aus Köln', 'latin1')]) {
    const message = Buffer.concat([Buffer.from('From: a@example.org\r\nSubject: '), raw, Buffer.from('\r\n\r\nhi\r\n')]);
    const { subject } = tagSubject(message, '[SPAM]');
    const packets = milterReplies([{ ...group, addHeaders: [], removeHeaders: [], subject }], { ...options, headerPosition: 'top' });
    const change = packets.find((p) => String.fromCharCode(p[4]!) === 'm')!;
    const value = change.subarray(5 + 4 + 'Subject\0'.length, change.length - 1);
    assert.ok(value.equals(Buffer.concat([Buffer.from('[SPAM] '), raw])), value.toString('latin1'));
  }
});
