import { execFile } from 'node:child_process';
import { startDaemonProcess } from './daemon-process.js';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where test/e2e/harness-agents/install-sendmail.sh extracts sendmail-bin and sendmail-cf. */
export const SENDMAIL_PREFIX = '/opt/moat-test/sendmail';
const SENDMAIL_BIN = join(SENDMAIL_PREFIX, 'usr/libexec/sendmail/sendmail');
const CF_DIR = join(SENDMAIL_PREFIX, 'usr/share/sendmail/cf');
export const sendmailAvailable = () => existsSync(SENDMAIL_BIN) && existsSync('/usr/bin/m4') && existsSync('/usr/bin/unshare');

export interface SendmailInstance {
  port: number;
  /** Text of the queued control (qf) files: headers after the milter's edits. */
  queuedHeaders(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * A private Sendmail daemon (-bD, queue-only delivery) on a loopback port with its own
 * sendmail.cf built by m4 from sendmail-cf, using `INPUT_MAIL_FILTER` with F=T (tempfail when
 * the filter is unavailable). It runs in its own UTS namespace with a dotted host name, which
 * spares Sendmail's 60 s "unqualified host name" wait without touching the machine's config.
 */
export async function startSendmail(options: { dir: string; port: number; milter: string }): Promise<SendmailInstance> {
  const { dir, port } = options;
  const queue = join(dir, 'queue');
  await mkdir(queue, { recursive: true });
  await chmod(queue, 0o700);
  await writeFile(join(dir, 'service.switch'), 'hosts files\naliases files\n');
  const mc = `divert(-1)
divert(0)dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mx.moat.test')dnl
define(\`QUEUE_DIR', \`${queue}')dnl
define(\`STATUS_FILE', \`${dir}/statistics')dnl
define(\`ALIAS_FILE', \`')dnl
define(\`confPID_FILE', \`${dir}/sendmail.pid')dnl
define(\`confSERVICE_SWITCH_FILE', \`${dir}/service.switch')dnl
define(\`confHOST_STATUS_DIRECTORY', \`')dnl
define(\`confDELIVERY_MODE', \`queueonly')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confMILTER_MACROS_ENVFROM', \`i, {auth_authen}')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
DAEMON_OPTIONS(\`Port=${port},Addr=127.0.0.1, Name=MTA')dnl
INPUT_MAIL_FILTER(\`moat', \`S=${options.milter}, F=T, T=S:2m;R:2m;E:5m')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
`;
  await writeFile(join(dir, 'moat.mc'), mc);
  const { stdout } = await run('/usr/bin/m4', [`-D_CF_DIR_=${CF_DIR}/`, join(CF_DIR, 'm4/cf.m4'), join(dir, 'moat.mc')]);
  // Only the MTA daemon on our port: drop the MSA on 587 that cf.m4 adds by default.
  await writeFile(join(dir, 'sendmail.cf'), stdout.replace(/^O DaemonPortOptions=Port=587.*\n/m, ''));
  const daemon = await startDaemonProcess('sendmail', '/usr/bin/unshare', ['-u', '/bin/sh', '-c', `hostname localhost.localdomain && exec ${SENDMAIL_BIN} -C ${join(dir, 'sendmail.cf')} -bD -odq`], { port });
  return {
    port,
    async queuedHeaders() {
      const names = (await readdir(queue)).filter((n) => n.startsWith('qf'));
      return Promise.all(names.map((n) => readFile(join(queue, n), 'latin1')));
    },
    async stop() {
      await daemon.stop();
    },
  };
}
