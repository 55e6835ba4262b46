/**
 * A private rspamd (Debian package) for the accuracy benchmark: its own local.d, database and
 * run directories, workers on loopback ports, Bayes in Redis db 7 (flushed first), and every
 * module that needs the network or the SMTP session turned off (DNS points nowhere). The
 * hyperscan cache is kept in the system temp dir so later runs start in seconds, not minutes.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../../test/e2e/harness/ports.js';

const OFF = ['rbl', 'surbl', 'spf', 'dkim', 'dmarc', 'arc', 'fuzzy_check', 'asn', 'mx_check', 'neural', 'ratelimit', 'replies', 'greylist', 'history_redis', 'url_reputation', 'dkim_signing', 'arc_signing', 'rspamd_update', 'reputation', 'milter_headers', 'dcc', 'external_services', 'antivirus', 'metadata_exporter', 'clickhouse', 'elastic', 'p0f', 'hfilter'];

export interface PrivateRspamd {
  version: string;
  /** Learns one message; resolves with rspamd's HTTP status and error text (200 = learned). */
  learn(text: string, spam: boolean): Promise<{ status: number; error?: string }>;
  /** The message's score; rspamd calls it spam from its `add header` threshold (6) up. */
  score(text: string): Promise<number>;
  stop(): void;
}

export async function privateRspamd(dir: string, redisDb = 7): Promise<PrivateRspamd> {
  const local = join(dir, 'local.d');
  for (const d of [local, join(dir, 'run'), join(dir, 'log')]) await mkdir(d, { recursive: true });
  const dbDir = join(tmpdir(), 'moat-bench-rspamd-db');
  await mkdir(dbDir, { recursive: true });
  const [normal, controller, proxy, fuzzy] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const files: Record<string, string> = {
    'options.inc': 'dns { nameserver = ["127.0.0.1:1"]; timeout = 0.1s; retransmits = 0; }\n',
    'redis.conf': `servers = "127.0.0.1:6379";\ndb = "${redisDb}";\n`,
    'classifier-bayes.conf': `backend = "redis";\nservers = "127.0.0.1:6379";\ndb = "${redisDb}";\nmin_learns = 10;\nautolearn = false;\n`,
    'worker-normal.inc': `bind_socket = "127.0.0.1:${normal}";\ncount = 2;\n`,
    'worker-controller.inc': `bind_socket = "127.0.0.1:${controller}";\nsecure_ip = "127.0.0.1";\n`,
    'worker-proxy.inc': `bind_socket = "127.0.0.1:${proxy}";\n`,
    'worker-fuzzy.inc': `bind_socket = "127.0.0.1:${fuzzy}";\n`,
    'logging.inc': `type = "file";\nfilename = "${join(dir, 'log', 'rspamd.log')}";\nlevel = "warning";\n`,
  };
  for (const m of OFF) files[`${m}.conf`] = 'enabled = false;\n';
  for (const [name, text] of Object.entries(files)) await writeFile(join(local, name), text);
  execFileSync('redis-cli', ['-n', String(redisDb), 'flushdb']);
  const version = execFileSync('rspamd', ['--version']).toString().trim().split('\n')[0]!;
  const child: ChildProcess = spawn('rspamd', ['-f', '-i', '-c', '/etc/rspamd/rspamd.conf', `--var=LOCAL_CONFDIR=${dir}`, `--var=DBDIR=${dbDir}`, `--var=RUNDIR=${join(dir, 'run')}`, `--var=LOGDIR=${join(dir, 'log')}`], { stdio: 'ignore' });
  // First start compiles hyperscan databases (minutes); later starts reuse the cache.
  await waitForPort(normal, 600_000);
  await waitForPort(controller, 60_000);
  const post = async (port: number, path: string, text: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body: text });
    const raw = await res.text();
    const parse = (): Record<string, unknown> => {
      try {
        return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return { raw: raw.slice(0, 200) };
      }
    };
    return { status: res.status, body: parse() };
  };
  return {
    version,
    async learn(text, spam) {
      const r = await post(controller, spam ? '/learnspam' : '/learnham', text);
      // 208: already learned (duplicate message); 204/404-like "too short/no tokens" are skipped like sa-learn does.
      if (r.status >= 500) throw new Error(`rspamd learn failed: ${r.status} ${JSON.stringify(r.body)}`);
      return { status: r.status, error: typeof r.body.error === 'string' ? r.body.error : undefined };
    },
    async score(text) {
      const r = await post(normal, '/checkv2', text);
      return Number(r.body.score);
    },
    stop: () => void child.kill('SIGTERM'),
  };
}
