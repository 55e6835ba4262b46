import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A private Postfix (the Debian package's binaries) with its own config, queue and data
 * directories, listening on a loopback port, never touching /etc/postfix's instance.
 * Local delivery goes through `mailbox_command`; milters through `smtpd_milters`.
 */
export interface PostfixInstance {
  dir: string;
  port: number;
  /** Files in the deferred, active and incoming queues (mail the MTA still holds). */
  queued(): Promise<number>;
  log(): Promise<string>;
  /** Waits until the log matches `pattern` (delivery attempts are asynchronous). */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

const MASTER_CF = (port: number) => `
127.0.0.1:${port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
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
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

export async function startPostfix(options: { dir: string; port: number; mainCf: Record<string, string> }): Promise<PostfixInstance> {
  const { dir, port } = options;
  const conf = join(dir, 'etc');
  await mkdir(conf, { recursive: true });
  await mkdir(join(dir, 'queue'), { recursive: true });
  await mkdir(join(dir, 'data'), { recursive: true });
  // data_directory belongs to mail_owner; every parent must be searchable by it.
  const postfixUid = Number((await run('id', ['-u', 'postfix'])).stdout.trim());
  const postfixGid = Number((await run('id', ['-g', 'postfix'])).stdout.trim());
  await chown(join(dir, 'data'), postfixUid, postfixGid);
  await chmod(dir, 0o755);
  const main: Record<string, string> = {
    compatibility_level: '3.6',
    queue_directory: join(dir, 'queue'),
    data_directory: join(dir, 'data'),
    mail_owner: 'postfix',
    setgid_group: 'postdrop',
    myhostname: 'mx.moat.test',
    mydomain: 'moat.test',
    myorigin: 'moat.test',
    mydestination: 'moat.test, localhost',
    inet_interfaces: '127.0.0.1',
    inet_protocols: 'ipv4',
    mynetworks: '127.0.0.0/8',
    alias_maps: '',
    alias_database: '',
    biff: 'no',
    maillog_file: join(dir, 'maillog'),
    maillog_file_prefixes: dir,
    smtputf8_enable: 'no',
    // Retry deferred mail quickly so tests can watch the second attempt.
    queue_run_delay: '2s',
    minimal_backoff_time: '2s',
    maximal_backoff_time: '4s',
    local_recipient_maps: '',
    ...options.mainCf,
  };
  await writeFile(join(conf, 'main.cf'), Object.entries(main).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  await writeFile(join(conf, 'master.cf'), MASTER_CF(port));
  await writeFile(join(dir, 'maillog'), '');
  await chmod(join(dir, 'maillog'), 0o644);
  await run('/usr/sbin/postfix', ['-c', conf, 'start']).catch(async (err: Error & { stderr?: string }) => {
    throw new Error(`postfix start failed: ${err.stderr ?? err.message}`);
  });
  const deadline = Date.now() + 20_000;
  while (!(await listening(port))) {
    if (Date.now() > deadline) throw new Error('private postfix did not listen');
    await new Promise((r) => setTimeout(r, 200));
  }
  const countFiles = async (d: string): Promise<number> => {
    let n = 0;
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) n += e.isDirectory() ? await countFiles(join(d, e.name)) : 1;
    return n;
  };
  const log = () => readFile(join(dir, 'maillog'), 'utf8').catch(() => '');
  return {
    dir,
    port,
    log,
    async queued() {
      let n = 0;
      for (const q of ['incoming', 'active', 'deferred', 'hold']) n += await countFiles(join(dir, 'queue', q));
      return n;
    },
    async waitForLog(pattern, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const text = await log();
        if (pattern.test(text)) return text;
        if (Date.now() > end) throw new Error(`log never matched ${pattern}:\n${text.slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async flush() {
      await run('/usr/sbin/postqueue', ['-c', conf, '-f']).catch(() => undefined);
    },
    async stop() {
      await run('/usr/sbin/postfix', ['-c', conf, 'stop']).catch(() => undefined);
    },
  };
}
