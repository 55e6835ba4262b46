/**
 * The scan's own price in the SMTP benchmark: CPU milliseconds per scan of the messages
 * smtp-source sends (numbered lines of X, 2 KB / 50 KB / 500 KB), by Debian's clamd (INSTREAM on
 * a private socket, CPU read from /proc) as shipped and with its clean-object cache off
 * (`DisableCache yes`: smtp-source sends the same body every time, which the cache answers from
 * an MD5), and by Moat's engine (one worker, CPU of this whole process) with and without its own
 * clean cache (SHA-256 keyed, mail parts only), all loading the benchmark's signature set. It shows what any AV content filter adds to a bare relay per message.
 *
 *   node bin/moat-dev.js bench/smtp/scan-cpu.ts [--scans N]
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadEngine } from '../../src/engine/scanner.js';
import { startClamd } from './amavis-clamd.js';
import { writeBenchDatabase } from './bench-setup.js';

const { values } = parseArgs({ options: { scans: { type: 'string', default: '300' } } });
const SCANS = Number(values.scans);
const SIZES = [2_000, 50_000, 500_000];
const WARM_UP = 20;

/** A message shaped like smtp-source's: a few headers, then numbered 80-byte lines of X. */
function sourceLikeMessage(bytes: number): Buffer {
  const lines = ['From: <alice@example.org>', 'To: <bob@example.com>', 'Date: Wed, 2 Dec 2026 09:32:29 +0000', 'Message-Id: <bench@example.org>', ''];
  for (let n = 1, size = 0; size < bytes; n++, size += 80) lines.push(`${n}${'X'.repeat(77 - String(n).length)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n`);
}

async function processCpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function instream(socket: string, message: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(socket);
    let reply = '';
    s.on('data', (d: Buffer) => (reply += d.toString()));
    s.on('end', () => resolve(reply.replace(/\0/g, '').trim()));
    s.on('error', reject);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(message.length);
    s.end(Buffer.concat([Buffer.from('zINSTREAM\0'), length, message, Buffer.alloc(4)]));
  });
}

/**
 * CPU ms per scan for each size: `scanOnce` scans one message and throws on anything but clean;
 * `cpuMs` reads the scanner's CPU time so far.
 */
async function cpuPerScan(scanOnce: (message: Buffer) => Promise<void>, cpuMs: () => Promise<number>): Promise<number[]> {
  const perSize: number[] = [];
  for (const bytes of SIZES) {
    const message = sourceLikeMessage(bytes);
    for (let i = 0; i < WARM_UP; i++) await scanOnce(message);
    const before = await cpuMs();
    for (let i = 0; i < SCANS; i++) await scanOnce(message);
    perSize.push(((await cpuMs()) - before) / SCANS);
  }
  return perSize;
}

const dir = await mkdtemp(join(tmpdir(), 'moat-scan-cpu-'));
await chmod(dir, 0o755);
try {
  const dbDir = await writeBenchDatabase(dir);
  const rows: Array<[string, number[]]> = [];
  for (const [name, extra] of [['clamd (Debian, INSTREAM)', []], ['clamd, DisableCache yes', ['DisableCache yes']]] as const) {
    const clamdDir = join(dir, `clamd-${rows.length}`);
    const clamd = await startClamd(clamdDir, dbDir, [...extra]);
    const clamdPid = Number((await readFile(join(clamdDir, 'clamd.pid'), 'utf8')).trim());
    const scanOnce = async (message: Buffer): Promise<void> => {
      const reply = await instream(clamd.socket, message);
      if (!reply.endsWith('OK')) throw new Error(`clamd answered "${reply}"`);
    };
    rows.push([name, await cpuPerScan(scanOnce, () => processCpuMs(clamdPid))]);
    await clamd.stop();
  }
  for (const [name, cleanCacheEntries] of [['Moat engine (1 worker, whole process), as shipped', undefined], ['Moat engine, clean_cache_entries = 0', 0]] as const) {
    const { scanner } = await loadEngine({ databases: [dbDir], workers: 1, cleanCacheEntries });
    const scanOnce = async (message: Buffer): Promise<void> => {
      const report = await scanner.scan({ kind: 'buffer', data: message }, { isMail: true });
      if (report.verdict !== 'clean') throw new Error(`Moat's engine answered ${report.verdict}`);
    };
    const processMs = async (): Promise<number> => {
      const used = process.cpuUsage();
      return (used.user + used.system) / 1000;
    };
    rows.push([name, await cpuPerScan(scanOnce, processMs)]);
    await scanner.close();
  }

  console.log(`CPU ms per scan, ${SCANS} scans per size after ${WARM_UP} unmeasured`);
  console.log(`| scanner | ${SIZES.map((b) => `${b / 1000} KB`).join(' | ')} |`);
  console.log(`|---|${SIZES.map(() => '---').join('|')}|`);
  for (const [name, perSize] of rows) console.log(`| ${name} | ${perSize.map((x) => x.toFixed(2)).join(' | ')} |`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
