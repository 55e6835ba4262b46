import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { chmodSync, cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusMessage } from './corpus.js';
import { freePort } from '../../test/e2e/harness/ports.js';

/** A private SpamAssassin (Debian) with its own config and Bayes DB, local tests only (no network). */
export interface PrivateSpamAssassin {
  learn(messages: CorpusMessage[], dir: string): void;
  start(): Promise<void>;
  score(text: string): Promise<number>;
  stop(): void;
  version: string;
}

export function privateSpamAssassin(work: string): PrivateSpamAssassin {
  const conf = join(work, 'etc');
  const bayes = join(work, 'bayes');
  mkdirSync(conf, { recursive: true });
  mkdirSync(bayes, { recursive: true });
  for (const f of readdirSync('/etc/spamassassin').filter((f) => f.endsWith('.pre'))) cpSync(join('/etc/spamassassin', f), join(conf, f));
  writeFileSync(
    join(conf, 'local.cf'),
    [`bayes_path ${bayes}/bayes`, 'bayes_file_mode 0777', 'use_bayes 1', 'bayes_auto_learn 0', 'use_auto_whitelist 0', 'skip_rbl_checks 1', 'use_razor2 0', 'use_pyzor 0', 'dns_available no', 'lock_method flock', ''].join('\n'),
  );
  chmodSync(work, 0o777);
  chmodSync(bayes, 0o777);
  let child: ReturnType<typeof spawn> | undefined;
  let port = 0;
  const version = spawnSync('spamassassin', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'SpamAssassin';
  return {
    version,
    learn(messages, dir) {
      for (const cls of ['spam', 'ham'] as const) {
        const d = join(dir, cls);
        mkdirSync(d, { recursive: true });
        messages.filter((m) => m.spam === (cls === 'spam')).forEach((m, i) => writeFileSync(join(d, `${i}.eml`), m.text));
        const r = spawnSync('sa-learn', ['--siteconfigpath', conf, '--dbpath', bayes, '--no-sync', `--${cls}`, d], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`sa-learn failed: ${r.stderr}`);
      }
      spawnSync('sa-learn', ['--siteconfigpath', conf, '--dbpath', bayes, '--sync'], { encoding: 'utf8' });
      spawnSync('chmod', ['-R', 'a+rwX', bayes]);
    },
    async start() {
      port = await freePort();
      child = spawn('spamd', ['--local', '--siteconfigpath', conf, '--listen', `127.0.0.1:${port}`, '--max-children', '2', '--min-children', '2', '--pidfile', join(work, 'spamd.pid'), '--nouser-config', '--username', 'nobody', '--syslog', join(work, 'spamd.log')], { stdio: 'ignore' });
      for (let i = 0; i < 100; i++) {
        await new Promise((r) => setTimeout(r, 300));
        if (spawnSync('spamc', ['-d', '127.0.0.1', '-p', String(port), '-K'], { encoding: 'utf8' }).status === 0) return;
      }
      throw new Error('private spamd did not start');
    },
    score(text) {
      return checkWithSpamd(port, text);
    },
    stop() {
      child?.kill('SIGTERM');
    },
  };
}

/**
 * One CHECK over spamd's own protocol (SPAMC/1.5), as spamc speaks it, without starting a spamc
 * process per message: the benchmark times spamd, not process start-up. The answer's
 * `Spam: True ; 15.2 / 5.0` line gives the score.
 */
function checkWithSpamd(port: number, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(text, 'utf8'); // as spamc was given it
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    // spamc's own default: give up on a spamd that does not answer.
    socket.setTimeout(600_000, () => socket.destroy(new Error('spamd did not answer within 600 s')));
    socket.on('end', () => {
      const answer = Buffer.concat(chunks).toString('latin1');
      const m = /^Spam: \w+ ; (-?[\d.]+) \/ /m.exec(answer);
      if (m && /^SPAMD\/[\d.]+ 0 /.test(answer)) resolve(Number(m[1]));
      else reject(new Error(`spamd answered "${answer.trim().slice(0, 200)}"`));
    });
    socket.end(Buffer.concat([Buffer.from(`CHECK SPAMC/1.5\r\nContent-length: ${body.length}\r\n\r\n`, 'latin1'), body]));
  });
}
