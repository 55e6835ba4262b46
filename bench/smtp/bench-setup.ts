/** What the SMTP benchmarks share: the signature set, Postfix's smtp-sink, and Moat configured for them. */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMoatDaemon, type MoatDaemon } from '../../test/e2e/harness/moat-daemon.js';
import { freePort, waitForPort } from '../../test/e2e/harness/ports.js';

/** One small signature set for every engine measured: an MD5 and two body signatures clean mail never matches. */
export async function writeBenchDatabase(dir: string): Promise<string> {
  const dbDir = join(dir, 'db');
  await mkdir(dbDir, { mode: 0o755 });
  await writeFile(join(dbDir, 'bench.hdb'), '44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n');
  await writeFile(join(dbDir, 'bench.ndb'), 'Bench.Test.Sig1:0:*:6d6f61742d62656e63682d7369676e61747572652d6f6e65\nBench.Test.Sig2:0:*:deadbeefcafebabe0102030405060708\n');
  return dbDir;
}

/** Postfix's smtp-sink on a free loopback port (accepts everything, keeps nothing). */
export async function startSmtpSink(): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const sink = spawn('smtp-sink', ['-u', 'postfix', '-c', `127.0.0.1:${port}`, '1000'], { stdio: 'ignore' });
  await waitForPort(port);
  return { port, pid: sink.pid!, stop: async () => void sink.kill('SIGTERM') };
}

/** bare-relay.ts as a child process listening on a free port, forwarding to `nextHopPort` (or, with `sinkOnly`, to nothing). */
export async function startBareRelay(nextHopPort: number, sinkOnly = false): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const script = fileURLToPath(new URL('./bare-relay.ts', import.meta.url));
  const devRunner = fileURLToPath(new URL('../../bin/moat-dev.js', import.meta.url));
  const child = spawn(process.execPath, [devRunner, script, String(port), String(nextHopPort), ...(sinkOnly ? ['--sink'] : [])], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await waitForPort(port);
  return {
    port,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `moat daemon` as measured: AV on with `dbDir`, anti-spam off, relaying to `nextHopPort`. */
export async function startBenchMoat(dir: string, dbDir: string, nextHopPort: number): Promise<{ port: number; daemon: MoatDaemon }> {
  const port = await freePort();
  const daemon = await startMoatDaemon({
    dir,
    waitPort: port,
    toml: `[global]\nstate_dir = "${join(dir, 'state')}"\nlog_level = "warn"\n[antispam]\nenabled = false\n[engine]\ndatabases = ["${dbDir}"]\n[local]\nenabled = false\n[smtp]\nlisten_port = ${port}\nnext_hop = "127.0.0.1:${nextHopPort}"\n[daemon]\nmetrics_listen = ""\n`,
  });
  return { port, daemon };
}
