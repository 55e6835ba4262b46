import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitForPort } from '../../test/e2e/harness/ports.js';

/**
 * Debian's clamd and amavisd-new, private instances for the benchmark: clamd on a UNIX socket
 * with the benchmark's own small signature directory, amavisd (spam/banned/header checks off,
 * as Moat runs without anti-spam here) asking clamd and forwarding to the sink.
 */
/** A private clamd on a UNIX socket in `dir`; `extraConf` lines are appended to its clamd.conf. */
export async function startClamd(dir: string, dbDir: string, extraConf: string[] = []): Promise<{ socket: string; stop(): Promise<void> }> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const socket = join(dir, 'clamd.sock');
  const conf = join(dir, 'clamd.conf');
  await writeFile(conf, `LocalSocket ${socket}\nLocalSocketMode 666\nDatabaseDirectory ${dbDir}\nForeground yes\nLogFile ${dir}/clamd.log\nPidFile ${dir}/clamd.pid\nUser root\nMaxThreads 8\n${extraConf.map((l) => `${l}\n`).join('')}`);
  const child = spawn('/usr/sbin/clamd', ['-c', conf], { stdio: 'ignore' });
  const deadline = Date.now() + 60_000;
  while (!(await readFile(socket).then(() => true, (e: NodeJS.ErrnoException) => e.code !== 'ENOENT'))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`clamd did not start: ${await readFile(join(dir, 'clamd.log'), 'utf8').catch(() => '')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { socket, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}

export async function startAmavisd(options: { dir: string; port: number; forwardPort: number; clamdSocket: string; servers: number }): Promise<{ stop(): Promise<void> }> {
  const { dir } = options;
  const uid = Number(execFileSync('id', ['-u', 'amavis']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'amavis']).toString().trim());
  for (const d of [dir, join(dir, 'tmp'), join(dir, 'db'), join(dir, 'var')]) {
    await mkdir(d, { recursive: true });
    await chown(d, uid, gid);
  }
  // amavisd refuses a config file in a directory its user can write.
  await mkdir(join(dir, 'etc'), { recursive: true, mode: 0o755 });
  const conf = join(dir, 'etc', 'amavisd.conf');
  await writeFile(
    conf,
    `use strict;
$MYHOME = '${dir}'; $TEMPBASE = '${dir}/tmp'; $db_home = '${dir}/db'; $helpers_home = '${dir}/var';
$lock_file = '${dir}/amavisd.lock'; $pid_file = '${dir}/amavisd.pid';
$daemon_user = 'amavis'; $daemon_group = 'amavis';
$mydomain = 'moat.test'; $myhostname = 'amavis.moat.test';
@local_domains_maps = (['.example.com']);
$inet_socket_port = ${options.port}; $inet_socket_bind = '127.0.0.1'; @inet_acl = qw(127.0.0.1);
$max_servers = ${options.servers}; $max_requests = 1000; $child_timeout = 120;
$forward_method = 'smtp:[127.0.0.1]:${options.forwardPort}'; $notify_method = $forward_method;
$do_syslog = 0; $LOGFILE = '${dir}/amavis.log'; $log_level = 0;
$enable_db = 0; $enable_zmq = 0; $enable_dkim_verification = 0; $enable_dkim_signing = 0;
@bypass_spam_checks_maps = (1); @bypass_banned_checks_maps = (1); @bypass_header_checks_maps = (1);
$final_virus_destiny = D_REJECT; $final_unchecked_destiny = D_TEMPFAIL;
$virus_quarantine_method = undef; $virus_admin = undef; $warnvirussender = 0; $warnvirusrecip = 0;
@av_scanners = (['ClamAV-clamd', \\&ask_daemon, ["CONTSCAN {}\\n", '${options.clamdSocket}'], qr/\\bOK$/m, qr/\\bFOUND$/m, qr/^.*?: (?!Infected Archive)(.*) FOUND$/m]);
@av_scanners_backup = ();
1;
`,
  );
  await writeFile(join(dir, 'amavis.log'), '');
  await chown(join(dir, 'amavis.log'), uid, gid);
  const child = spawn('/usr/sbin/amavisd', ['-c', conf, 'foreground'], { stdio: 'ignore' });
  await waitForPort(options.port, 60_000);
  return {
    async stop() {
      const pid = Number((await readFile(join(dir, 'amavisd.pid'), 'utf8').catch(() => '')).trim());
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* gone */
        }
      }
      await stopChild(child);
    },
  };
}
