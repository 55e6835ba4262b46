import { startDaemonProcess } from './daemon-process.js';
import { chown, mkdir, writeFile, readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A private amavisd-new (Debian package) in the foreground on loopback, with its own home,
 * temp, pid and lock files, spam checks off, and one AV scanner: the ClamAV-clamd entry
 * pointed at Moat's clamd socket. Returns its SMTP port; stop() kills it.
 */
export interface AmavisInstance {
  port: number;
  tempBase: string;
  log(): Promise<string>;
  stop(): Promise<void>;
}

export async function startAmavis(options: { dir: string; port: number; forwardPort: number; clamdSocket: string }): Promise<AmavisInstance> {
  const { dir } = options;
  const tempBase = join(dir, 'tmp');
  for (const d of [dir, tempBase, join(dir, 'db'), join(dir, 'var'), join(dir, 'quarantine')]) await mkdir(d, { recursive: true });
  const uid = Number(execFileSync('id', ['-u', 'amavis']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'amavis']).toString().trim());
  for (const d of [dir, tempBase, join(dir, 'db'), join(dir, 'var'), join(dir, 'quarantine')]) await chown(d, uid, gid);
  // amavisd refuses a config file in a directory its user can write: keep it in a root-owned one.
  await mkdir(join(dir, 'etc'), { recursive: true, mode: 0o755 });
  const conf = join(dir, 'etc', 'amavisd.conf');
  await writeFile(
    conf,
    `use strict;
$MYHOME = '${dir}';
$TEMPBASE = '${tempBase}';
$db_home = '${dir}/db';
$helpers_home = '${dir}/var';
$lock_file = '${dir}/amavisd.lock';
$pid_file = '${dir}/amavisd.pid';
$QUARANTINEDIR = '${dir}/quarantine';
$daemon_user = 'amavis';
$daemon_group = 'amavis';
$mydomain = 'moat.test';
$myhostname = 'amavis.moat.test';
@local_domains_maps = (['.moat.test']);
$inet_socket_port = ${options.port};
$inet_socket_bind = '127.0.0.1';
@inet_acl = qw(127.0.0.1);
$max_servers = 1;
$max_requests = 50;
$child_timeout = 60;
$forward_method = 'smtp:[127.0.0.1]:${options.forwardPort}';
$notify_method = $forward_method;
$do_syslog = 0;
$LOGFILE = '${dir}/amavis.log';
$log_level = 2;
$enable_db = 0;
$enable_zmq = 0;
$enable_dkim_verification = 0;
$enable_dkim_signing = 0;
@bypass_spam_checks_maps = (1);
@bypass_banned_checks_maps = (1);
@bypass_header_checks_maps = (1);
$final_virus_destiny = D_REJECT;
# Mail the AV scanners could not check stays in the MTA queue (docs/clamd.md).
$final_unchecked_destiny = D_TEMPFAIL;
$virus_quarantine_method = undef;
$virus_admin = undef;
$warnvirussender = 0;
$warnvirusrecip = 0;
@av_scanners = (
  ['Moat via ClamAV-clamd',
   \\&ask_daemon, ["CONTSCAN {}\\n", '${options.clamdSocket}'],
   qr/\\bOK$/m, qr/\\bFOUND$/m,
   qr/^.*?: (?!Infected Archive)(.*) FOUND$/m ],
);
@av_scanners_backup = ();
1;
`,
  );
  await writeFile(join(dir, 'amavis.log'), '');
  await chown(join(dir, 'amavis.log'), uid, gid);
  const daemon = await startDaemonProcess('amavisd', '/usr/sbin/amavisd', ['-c', conf, 'foreground'], { port: options.port, timeoutMs: 30_000 });
  return {
    port: options.port,
    tempBase,
    log: async () => `${daemon.output()}\n${await readFile(join(dir, 'amavis.log'), 'utf8').catch(() => '')}`,
    async stop() {
      const pid = Number((await readFile(join(dir, 'amavisd.pid'), 'utf8').catch(() => '')).trim());
      // amavisd forks: its master's pid file names the process that must go too.
      if (pid > 0 && pid !== daemon.child.pid) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
      await daemon.stop();
    },
  };
}
