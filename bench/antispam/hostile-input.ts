/**
 * Hostile messages against the anti-spam path: how long each takes now, beside the code it replaced
 * (kept here only as the measured peer) or the library path it guards, in the same run. The figures
 * in docs/antispam.md ("What the checks read, and their limits") and in the comments of
 * html-text.ts, builtin-checks.ts and authentication.ts come from here.
 *
 *   node bin/moat-dev.js bench/antispam/hostile-input.ts [--scale 1]
 *
 * `--scale` multiplies the sizes; the replaced code is quadratic, so 2 takes ~4× as long (default
 * run ~1 min).
 */
import { parseArgs } from 'node:util';
import { authenticate } from 'mailauth';
import { htmlContent } from '../../src/antispam/html-text.js';
import { displayNameAddress } from '../../src/antispam/rules/builtin-checks.js';
import { authenticationSource } from '../../src/antispam/authentication.js';
import { viewMessage } from '../../src/antispam/message-view.js';

const { values } = parseArgs({ options: { scale: { type: 'string' } } });
const scale = Number(values.scale ?? 1);

/** The HTML stripping html-text.ts replaced (regexes over the whole part). */
function replacedHtmlScan(html: string): number {
  const src = html.replace(/<!--[\s\S]*?-->/g, ' ').replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ');
  let links = 0;
  const re = /<a\b[^>]*?href\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]*?)<\/a\s*>/gi;
  while (re.exec(src) !== null) links++;
  return src.replace(/<[^>]*>/g, ' ').length + links;
}
/** The single regex displayNameAddress replaced. */
const REPLACED_DISPLAY = /^\s*"?[^"<]*?([^\s"<@]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+))[^"<]*"?\s*<[^>@]*@([^>]+)>/i;

const failingResolver = async () => {
  throw Object.assign(new Error('no DNS in this benchmark'), { code: 'ENOTFOUND' });
};
const time = async (work: () => unknown) => {
  const t = performance.now();
  await work();
  return performance.now() - t;
};
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);

const rows: string[] = [];
const n = (x: number) => Math.round(x * scale);
for (const [name, html] of [
  ['HTML: `<` × 100,000', '<'.repeat(n(100_000))],
  ['HTML: unclosed `<!--` × 40,000', '<!--'.repeat(n(40_000))],
  ['HTML: `<a href=x>` never closed × 20,000', '<a href=x>'.repeat(n(20_000))],
] as const) {
  rows.push(`| ${name} | ${ms(await time(() => replacedHtmlScan(html)))} (regexes) | ${ms(await time(() => htmlContent(html)))} |`);
}
const from = 'a'.repeat(n(20_000));
rows.push(`| From header of ${from.length.toLocaleString('en')} letters | ${ms(await time(() => REPLACED_DISPLAY.exec(from)))} (regex) | ${ms(await time(() => displayNameAddress(from)))} |`);

const auth = authenticationSource(failingResolver, 'mx.bench');
const options = { ip: '192.0.2.1', helo: 'bench', sender: 'a@example.com', mta: 'mx.bench', resolver: failingResolver as never };
for (const lines of [n(10_000), n(20_000), n(40_000)]) {
  const message = Buffer.from(`From: a@example.com\r\nSubject: ${'a\r\n '.repeat(lines)}\r\n\r\nx\r\n`);
  const input = { message, mailFrom: 'a@example.com', rcptTo: [], clientAddress: '192.0.2.1', helo: 'bench' };
  rows.push(`| ${lines.toLocaleString('en')} folded header lines | ${ms(await time(() => authenticate(message, options)))} (mailauth alone) | ${ms(await time(() => auth(viewMessage(message), input)))} (AUTH_SKIPPED) |`);
}
const addresses = Buffer.from(`From: ${'a@b.c, '.repeat(n(100_000))}\r\nSubject: x\r\n\r\nx\r\n`);
rows.push(`| From header of ${n(100_000).toLocaleString('en')} addresses | - | ${ms(await time(() => authenticate(addresses, options)))} (mailauth with nodemailer 10's parser) |`);

console.log('| hostile input | replaced code / library path | Moat now |\n|---|---|---|');
for (const r of rows) console.log(r);
