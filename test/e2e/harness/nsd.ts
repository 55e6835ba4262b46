/**
 * A private NSD (Debian's authoritative DNS server) on a free loopback port, serving zones the
 * test writes, for the network checks' SPF, DKIM, DMARC and ARC lookups. Runs in the
 * foreground as the test's user (no chroot, no privilege drop); stopped by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep } from './ports.js';

export const NSD = '/usr/sbin/nsd';

/** One zone: its origin and its records in zone-file syntax relative to it (`@ TXT "v=spf1 -all"`). */
export interface ZoneSpec {
  origin: string;
  records: string[];
}

export interface NsdInstance {
  /** `127.0.0.1:PORT`, as `[antispam] dns_servers` takes it. */
  address: string;
  port: number;
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** A TXT value as zone-file strings of at most 255 characters each (RFC 1035 §3.3.14), as DKIM keys need. */
export function txt(value: string): string {
  const chunks: string[] = [];
  for (let i = 0; i < value.length; i += 255) chunks.push(`"${value.slice(i, i + 255).replace(/(["\\])/g, '\\$1')}"`);
  return `( ${chunks.join(' ')} )`;
}

function zoneFile({ origin, records }: ZoneSpec): string {
  return [`$ORIGIN ${origin}.`, '$TTL 60', `@ IN SOA ns.${origin}. hostmaster.${origin}. 1 60 60 60 60`, `@ IN NS ns.${origin}.`, 'ns IN A 127.0.0.1', ...records, ''].join('\n');
}

export async function startNsd(zones: ZoneSpec[]): Promise<NsdInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'moat-nsd-'));
  await chmod(dir, 0o755);
  const port = await freePort();
  const conf = [
    'server:',
    '  ip-address: 127.0.0.1',
    `  port: ${port}`,
    '  do-ip6: no',
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: "${dir}"`,
    `  pidfile: "${dir}/nsd.pid"`,
    `  zonelistfile: "${dir}/zone.list"`,
    `  xfrdfile: "${dir}/xfrd.state"`,
    `  xfrdir: "${dir}"`,
    `  logfile: "${dir}/nsd.log"`,
    '  database: ""',
    '  server-count: 1',
    '  verbosity: 1',
    'remote-control:',
    '  control-enable: no',
    ...zones.flatMap((z) => ['zone:', `  name: ${z.origin}`, `  zonefile: ${z.origin}.zone`]),
    '',
  ].join('\n');
  await writeFile(join(dir, 'nsd.conf'), conf);
  for (const z of zones) await writeFile(join(dir, `${z.origin}.zone`), zoneFile(z));
  const child: ChildProcess = spawn(NSD, ['-d', '-c', join(dir, 'nsd.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const log = async () => (existsSync(join(dir, 'nsd.log')) ? readFile(join(dir, 'nsd.log'), 'utf8') : '');
  // Started once every zone was read and the server says so (a zone-file error is in the log).
  for (let waited = 0; ; waited += 50) {
    const text = await log();
    if (/nsd started/.test(text)) break;
    if (child.exitCode !== null || waited > 10_000) {
      child.kill('SIGKILL');
      throw new Error(`nsd did not start: ${stderr}${text}`);
    }
    await sleep(50);
  }
  const errors = (await log()).split('\n').filter((l) => /error/i.test(l));
  if (errors.length) {
    child.kill('SIGKILL');
    throw new Error(`nsd could not read a zone: ${errors.join('; ')}`);
  }
  return {
    address: `127.0.0.1:${port}`,
    port,
    log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
