import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitForPort } from './ports.js';

const run = promisify(execFile);

/**
 * A private Postfix instance built from the Debian package's binaries: its own
 * config_directory, queue_directory and data_directory, loopback ports only, its log in a file
 * (there is no syslogd). It never reads /etc/postfix or touches /var/spool/postfix.
 */
export interface PostfixInstance {
  dir: string;
  configDir: string;
  /** The public smtpd port (mail enters here). */
  port: number;
  /** Queue ids of messages Postfix still holds (`postqueue -c DIR -j`). */
  queue(): Promise<Array<{ queue_id: string; queue_name: string; recipients: Array<{ address: string; delay_reason?: string }> }>>;
  log(): Promise<string>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** `postqueue -f`: retry everything now. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export interface PostfixOptions {
  dir: string;
  /** Public smtpd port on 127.0.0.1. */
  port: number;
  /** Extra main.cf settings (override the defaults below). */
  main?: Record<string, string>;
  /** Extra master.cf lines (services such as the re-injection listener or a content filter transport). */
  masterExtra?: string[];
  /** Options for the public smtpd (`-o name=value`). */
  smtpdOptions?: Record<string, string>;
}

const BASE_MASTER = `pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd`;

export async function startPostfix(options: PostfixOptions): Promise<PostfixInstance> {
  const { dir, port } = options;
  const configDir = join(dir, 'etc');
  for (const d of [configDir, join(dir, 'queue'), join(dir, 'data')]) await mkdir(d, { recursive: true });
  // data_directory belongs to mail_owner; every parent must be searchable by it.
  const uid = Number((await run('id', ['-u', 'postfix'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postfix'])).stdout.trim());
  await chown(join(dir, 'data'), uid, gid);
  await chmod(dir, 0o755);
  const name = `moat-test-${port}`;
  const main: Record<string, string> = {
    compatibility_level: '3.6',
    queue_directory: join(dir, 'queue'),
    data_directory: join(dir, 'data'),
    mail_owner: 'postfix',
    setgid_group: 'postdrop',
    syslog_name: name,
    myhostname: 'mx.moat.test',
    mydomain: 'moat.test',
    myorigin: 'moat.test',
    mydestination: '',
    inet_interfaces: 'loopback-only',
    inet_protocols: 'ipv4',
    mynetworks: '127.0.0.0/8',
    smtpd_relay_restrictions: 'permit_mynetworks, reject',
    alias_maps: '',
    alias_database: '',
    biff: 'no',
    maillog_file: join(dir, 'maillog'),
    maillog_file_prefixes: dir,
    smtputf8_enable: 'no',
    // Retry deferred mail quickly so tests can watch recovery.
    queue_run_delay: '2s',
    minimal_backoff_time: '2s',
    maximal_backoff_time: '4s',
    smtp_connect_timeout: '5s',
    local_recipient_maps: '',
    ...options.main,
  };
  const smtpd = Object.entries(options.smtpdOptions ?? {}).map(([k, v]) => `\n  -o ${k}=${v}`).join('');
  await writeFile(join(configDir, 'main.cf'), Object.entries(main).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  await writeFile(join(configDir, 'master.cf'), `127.0.0.1:${port} inet n - n - - smtpd${smtpd}\n${BASE_MASTER}\n${(options.masterExtra ?? []).join('\n')}\n`);
  await writeFile(join(dir, 'maillog'), '');
  await chmod(join(dir, 'maillog'), 0o644);
  try {
    await run('/usr/sbin/postfix', ['-c', configDir, 'start']);
  } catch (err) {
    throw new Error(`postfix start failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`, { cause: err });
  }
  await waitForPort(port);
  const log = () => readFile(join(dir, 'maillog'), 'utf8').catch(() => '');
  return {
    dir,
    configDir,
    port,
    log,
    async queue() {
      const { stdout } = await run('/usr/sbin/postqueue', ['-c', configDir, '-j']);
      return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    },
    async waitForLog(pattern, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const text = await log();
        if (pattern.test(text)) return text;
        if (Date.now() > end) throw new Error(`postfix log never matched ${pattern}:\n${text.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async flush() {
      await run('/usr/sbin/postqueue', ['-c', configDir, '-f']).catch(() => undefined);
    },
    async stop() {
      await run('/usr/sbin/postfix', ['-c', configDir, 'stop']).catch(() => undefined);
    },
  };
}

/**
 * The master.cf listener Moat passes mail back to: loopback only, relaying for loopback, XFORWARD
 * from loopback trusted, no restrictions of its own (they ran on the public smtpd); `options` first.
 */
function reinjectListener(port: number, options: string[]): string {
  const common = ['smtpd_helo_restrictions=', 'smtpd_client_restrictions=', 'smtpd_sender_restrictions=', 'smtpd_recipient_restrictions=permit_mynetworks,reject', 'smtpd_relay_restrictions=permit_mynetworks,reject', 'mynetworks=127.0.0.0/8', 'smtpd_authorized_xforward_hosts=127.0.0.0/8'];
  return [`127.0.0.1:${port} inet n - n - - smtpd`, ...[...options, ...common].map((o) => `  -o ${o}`)].join('\n');
}

/**
 * main.cf / master.cf for Moat as an after-queue content filter (the lines docs/postfix.md
 * gives administrators): mail entering on the public smtpd goes to Moat on `moatPort`, Moat
 * re-injects into the listener on `reinjectPort`, which has no content filter.
 */
export function afterQueueConfig(moatPort: number, reinjectPort: number): { main: Record<string, string>; masterExtra: string[] } {
  return {
    main: { content_filter: `moat:[127.0.0.1]:${moatPort}` },
    masterExtra: [
      `moat      unix  -       -       n       -       4       smtp
  -o smtp_send_xforward_command=yes
  -o disable_mime_output_conversion=yes
  -o smtp_data_done_timeout=1200`,
      reinjectListener(reinjectPort, ['content_filter=', 'receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters']),
    ],
  };
}

/**
 * Moat as a before-queue proxy filter (docs/postfix.md): the public smtpd passes each
 * transaction through Moat on `moatPort`, which forwards to the after-filter smtpd on
 * `reinjectPort`; the client gets Moat's (or the after-filter smtpd's) reply in its session.
 */
export function beforeQueueConfig(moatPort: number, reinjectPort: number): { smtpdOptions: Record<string, string>; masterExtra: string[] } {
  return {
    smtpdOptions: { smtpd_proxy_filter: `127.0.0.1:${moatPort}`, smtpd_proxy_timeout: '300s' },
    masterExtra: [
      reinjectListener(reinjectPort, ['receive_override_options=no_unknown_recipient_checks']),
    ],
  };
}
