import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export const RBLDNSD = '/usr/sbin/rbldnsd';

/** For node:test's `skip`: false when Debian's rbldnsd is installed, otherwise why the tests cannot run. */
export const rbldnsdMissing: false | string = !existsSync(RBLDNSD) && `${RBLDNSD} not installed (scripts/install-debian-deps.sh installs Debian's rbldnsd)`;

/** One dataset of a zone (`rbldnsd ZONE:DATASET:FILE`); a zone named twice is served from both datasets, answers merged. */
export interface RbldnsdZone {
  name: string;
  dataset: 'ip4set' | 'ip4trie' | 'ip4tset' | 'ip6trie' | 'ip6tset' | 'dnset' | 'generic' | 'combined' | 'acl';
  /** The data file's lines, in rbldnsd's format (man rbldnsd). */
  lines: string[];
}

export interface Rbldnsd {
  port: number;
  /** `127.0.0.1:PORT`, as `[antispam] dns_servers` takes it. */
  address: string;
  /**
   * Every name asked so far, lower case, in the order rbldnsd received them (its query log,
   * `-l`). Async because the log is read from a pipe: it first asks a marker name itself and waits
   * for that line, and rbldnsd answers in order, so everything asked before is in. Not while paused.
   */
  queries(): Promise<string[]>;
  /** SIGSTOP: the server keeps its socket but answers nothing, as a list whose servers hang. */
  pause(): void;
  /** SIGCONT: it answers again (first whatever queued up meanwhile). */
  resume(): void;
  /** Stops the server (resumed first, so SIGTERM is acted on) and removes its data directory. */
  stop(): Promise<void>;
}

/** Query log lines (`-l`): `TIME CLIENT NAME TYPE CLASS: RCODE/ANSWERS/SIZE`. */
const LOG_LINE = /^\d+ \S+ (\S+) \S+ \S+: \S+$/;
/** Names the harness asks itself to know the log is complete; left out of `queries()`. */
const SYNC_LABEL = 'moat-harness-sync-';

/**
 * Starts Debian's rbldnsd on a free loopback UDP port in the foreground (`-n`), serving ZONES
 * from files in a fresh temp dir. rbldnsd drops root for user rbldns before reading its data,
 * so the dir and files are made world-readable; the query log goes to stdout (`-l +-`, line
 * buffered) because rbldns could not create a log file in our dir.
 */
export async function startRbldnsd(options: { zones: RbldnsdZone[] }): Promise<Rbldnsd> {
  const dir = await mkdtemp(join(tmpdir(), 'moat-rbldnsd-'));
  await chmod(dir, 0o755);
  const specs: string[] = [];
  for (const [i, zone] of options.zones.entries()) {
    const file = `${i}-${zone.name}.${zone.dataset}`;
    await writeFile(join(dir, file), `${zone.lines.join('\n')}\n`);
    await chmod(join(dir, file), 0o644);
    specs.push(`${zone.name}:${zone.dataset}:${file}`);
  }
  const port = await freePort();
  const child = spawn(RBLDNSD, ['-n', '-b', `127.0.0.1/${port}`, '-w', dir, '-l', '+-', ...specs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('latin1')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('latin1')));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;

  // rbldnsd loads every zone before it prints "started"; a bad line or a taken port makes it exit.
  const deadline = Date.now() + 10_000;
  while (!/ started /.test(output)) {
    if (!running()) throw new Error(`rbldnsd exited before serving:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`rbldnsd did not start within 10 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }

  const address = `127.0.0.1:${port}`;
  const resolver = new Resolver({ timeout: 2000, tries: 3 });
  resolver.setServers([address]);
  let syncs = 0;
  const loggedNames = () => output.split('\n').flatMap((line) => LOG_LINE.exec(line)?.[1]?.toLowerCase() ?? []);
  return {
    port,
    address,
    async queries() {
      const marker = `${SYNC_LABEL}${++syncs}.${options.zones[0]!.name}`;
      await resolver.resolve4(marker).catch(() => undefined); // NXDOMAIN expected: only the log line matters
      const until = Date.now() + 5000;
      while (!loggedNames().includes(marker)) {
        if (Date.now() > until) throw new Error(`rbldnsd did not log ${marker} (paused?)`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return loggedNames().filter((name) => !name.startsWith(SYNC_LABEL));
    },
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async stop() {
      if (running()) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
