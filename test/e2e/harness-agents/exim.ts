import { spawn } from 'node:child_process';
import { startDaemonProcess } from './daemon-process.js';
import { chmod, chown, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

/** Where test/e2e/harness-agents/install-exim.sh extracts exim4-daemon-heavy. */
export const EXIM_PREFIX = '/opt/moat-test/exim';
export const EXIM_BIN = join(EXIM_PREFIX, 'usr/sbin/exim4');
export const eximAvailable = () => existsSync(EXIM_BIN);

export interface EximInstance {
  port: number;
  scanDir: string;
  log(): Promise<string>;
  /** Messages still in Exim's queue (spool/input *-H files). */
  queued(): Promise<number>;
  /** Runs the queue once (exim -qff), forcing retries. */
  runQueue(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A private Exim daemon (-bd) on a loopback port with its own spool and logs, whose DATA
 * ACL denies malware found through `av_scanner` and blackholes accepted mail.
 */
export async function startExim(options: { dir: string; port: number; avScanner?: string; pipeCommand?: string }): Promise<EximInstance> {
  const { dir, port } = options;
  const spool = join(dir, 'spool');
  for (const d of [dir, spool, join(dir, 'log')]) await mkdir(d, { recursive: true });
  const uid = Number(execFileSync('id', ['-u', 'Debian-exim']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'Debian-exim']).toString().trim());
  await chmod(dir, 0o755);
  for (const d of [spool, join(dir, 'log')]) await chown(d, uid, gid);
  const conf = join(dir, 'exim.conf');
  await writeFile(
    conf,
    `primary_hostname = exim.moat.test
exim_user = Debian-exim
exim_group = Debian-exim
spool_directory = ${spool}
log_file_path = ${dir}/log/%slog
daemon_smtp_ports = ${port}
local_interfaces = 127.0.0.1
exim_path = ${EXIM_BIN}
# The private binary finds libspf2 through LD_LIBRARY_PATH, also when it re-executes itself.
keep_environment = LD_LIBRARY_PATH
${options.avScanner ? `av_scanner = ${options.avScanner}` : ''}
acl_smtp_rcpt = acl_check_rcpt
acl_smtp_data = acl_check_data
host_lookup =
rfc1413_hosts =

begin acl
acl_check_rcpt:
  accept

acl_check_data:
${options.avScanner ? '  deny message = This message contains malware ($malware_name)\n       malware = *\n' : ''}  accept

begin routers
${
  options.pipeCommand
    ? `to_moat_mda:
  driver = accept
  transport = moat_mda
`
    : `blackhole:
  driver = redirect
  data = :blackhole:
`
}
begin transports
${
  options.pipeCommand
    ? `moat_mda:
  driver = pipe
  command = ${options.pipeCommand}
  # The exim user itself: a -C configuration drops root, so the transport cannot switch users.
  user = Debian-exim
  group = Debian-exim
  batch_max = 1
  message_prefix =
  temp_errors = 73:75
  timeout_defer = true
  return_fail_output = true
`
    : ''
}
begin retry
*  *  F,1d,2s
`,
  );
  const daemon = await startDaemonProcess('exim', EXIM_BIN, ['-C', conf, '-bdf', '-oX', String(port)], { port, env: { LD_LIBRARY_PATH: join(EXIM_PREFIX, 'usr/lib'), PATH: '/usr/bin:/bin' } });
  return {
    port,
    scanDir: join(spool, 'scan'),
    log: async () => `${daemon.output()}\n${await readFile(join(dir, 'log', 'mainlog'), 'utf8').catch(() => '')}\n${await readFile(join(dir, 'log', 'paniclog'), 'utf8').catch(() => '')}`,
    async queued() {
      const walk = async (d: string): Promise<number> => {
        let n = 0;
        for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) n += e.isDirectory() ? await walk(join(d, e.name)) : e.name.endsWith('-H') ? 1 : 0;
        return n;
      };
      return walk(join(spool, 'input'));
    },
    async runQueue() {
      await new Promise<void>((resolve) => {
        const q = spawn(EXIM_BIN, ['-C', conf, '-qff'], { env: { LD_LIBRARY_PATH: join(EXIM_PREFIX, 'usr/lib'), PATH: '/usr/bin:/bin' }, stdio: 'ignore' });
        q.on('close', () => resolve());
      });
    },
    async stop() {
      await daemon.stop();
    },
  };
}
