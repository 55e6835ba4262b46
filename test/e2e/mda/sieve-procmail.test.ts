import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMoatDaemon, type MoatDaemon } from '../harness/moat-daemon.js';
import { freePort } from '../harness/ports.js';
import { runMoat } from '../harness-agents/run-moat.js';

/**
 * "SpamAssassin-compatible headers, so existing Sieve/procmail rules keep working" (issue #6),
 * checked with the real programs: `moat mda` in front of Debian's dovecot-lda with Pigeonhole
 * Sieve (a header rule, the X-Spam-Level stars, and the spamtest extension configured exactly as
 * Pigeonhole's documentation configures it for SpamAssassin) and in front of procmail with the
 * recipes SpamAssassin documents. The rules were written for SpamAssassin;
 * nothing in them was changed for Moat.
 */
const DOVECOT_LDA = '/usr/lib/dovecot/dovecot-lda';
const PROCMAIL = '/usr/bin/procmail';
const NOBODY = 65534;

let dir: string;
let moat: MoatDaemon;
let socket: string;

/** Delivery programs run as nobody, as an MTA runs them as the mailbox owner. */
const asNobody = (home: string, program: string[]) => ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'env', `HOME=${home}`, 'USER=bob', 'LOGNAME=bob', ...program];

const SIEVE = `require ["fileinto", "mailbox", "spamtest", "relational", "comparator-i;ascii-numeric"];
if spamtest :value "ge" :comparator "i;ascii-numeric" "5" { fileinto :create "Spamtest"; }
if header :contains "X-Spam-Level" "*****" { fileinto :create "Stars"; }
if header :is "X-Spam-Flag" "YES" { fileinto :create "Junk"; stop; }
`;

/** Pigeonhole's settings for SpamAssassin's X-Spam-Status (doc/rfc/spamtest… and the wiki's example), unchanged. */
const DOVECOT_CONF = (root: string) => `protocols =
log_path = /dev/stderr
base_dir = ${root}/run
state_dir = ${root}/state
mail_location = maildir:~/Maildir
ssl = no
postmaster_address = postmaster@example.com
passdb {
  driver = static
  args = nopassword
}
userdb {
  driver = static
  args = uid=${NOBODY} gid=${NOBODY}
}
protocol lda {
  mail_plugins = sieve
}
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
  sieve_extensions = +spamtest +spamtestplus
  sieve_spamtest_status_type = score
  sieve_spamtest_status_header = X-Spam-Status: [[:alnum:]]+, score=(-?[[:digit:]]+\\.[[:digit:]])
  sieve_spamtest_max_header = X-Spam-Status: [[:alnum:]]+, score=-?[[:digit:]]+\\.[[:digit:]] required=([[:digit:]]+\\.[[:digit:]])
}
`;

/**
 * Recipes as SpamAssassin's documentation gives them (procmailrc.example: `^X-Spam-Status: Yes`;
 * the UsedViaProcmail page: `^X-Spam-Level:` stars and `^X-Spam-Flag: YES`), with Maildir folders.
 */
const PROCMAILRC = (maildir: string) => `MAILDIR=${maildir}/
DEFAULT=${maildir}/
LOGFILE=${maildir}/../procmail.log
:0c
* ^X-Spam-Level: \\*\\*\\*\\*\\*
.almost-certainly-spam/
:0c
* ^X-Spam-Flag: YES
.flagged-spam/
:0
* ^X-Spam-Status: Yes
.probably-spam/
`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moat-sieve-'));
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'site-rules.toml'), '[[rule]]\nname = "TEST_SPAM_MARKER"\nscore = 10\ndescription = "The test\'s spam marker"\nfield = "body"\nliterals = ["moat-test-spam-marker"]\n');
  const [smtpPort, metricsPort] = [await freePort(), await freePort()];
  socket = join(dir, 'moat.sock');
  moat = await startMoatDaemon({
    dir,
    waitPort: smtpPort,
    toml: `
[global]
state_dir = "${join(dir, 'state')}"
[local]
socket = "${socket}"
[smtp]
listen_port = ${smtpPort}
next_hop = "127.0.0.1:9"
[daemon]
metrics_listen = "127.0.0.1:${metricsPort}"
[antispam]
authentication = false
rules = ["${join(dir, 'site-rules.toml')}"]
`,
  });
  for (const sub of ['run', 'state']) await mkdir(join(dir, 'dovecot', sub), { recursive: true });
  await writeFile(join(dir, 'dovecot', 'dovecot.conf'), DOVECOT_CONF(join(dir, 'dovecot')));
  // Each user's home with an empty Maildir, as a mail system has them (procmail's MAILDIR must exist).
  for (const user of ['sieve-user', 'procmail-user']) {
    for (const sub of ['', 'Maildir', 'Maildir/cur', 'Maildir/new', 'Maildir/tmp']) {
      await mkdir(join(dir, user, sub), { recursive: true });
      await chown(join(dir, user, sub), NOBODY, NOBODY);
    }
  }
  await writeFile(join(dir, 'sieve-user', '.dovecot.sieve'), SIEVE);
  await writeFile(join(dir, 'procmail-user', '.procmailrc'), PROCMAILRC(join(dir, 'procmail-user', 'Maildir')));
  for (const f of [join(dir, 'sieve-user', '.dovecot.sieve'), join(dir, 'procmail-user', '.procmailrc')]) await chown(f, NOBODY, NOBODY);
  await chmod(join(dir, 'dovecot', 'dovecot.conf'), 0o644);
});

after(async () => {
  await moat?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const message = (id: string, body: string) => `Date: Mon, 7 Dec 2026 06:00:00 +0000\r\nFrom: Alice <alice@example.org>\r\nTo: bob@example.com\r\nMessage-ID: <${id}@example.org>\r\nSubject: ${id}\r\n\r\n${body}\r\n`;

/** `moat mda` → the delivery program; the Maildir folder (Maildir++: "" is INBOX) each message landed in. */
async function deliver(program: string[], text: string) {
  const r = await runMoat(['mda', '--socket', socket, '-f', 'alice@example.org', '-r', 'bob@example.com', '--', ...program], { input: text });
  assert.equal(r.code, 0, r.stderr);
}

async function foldersHolding(maildir: string, id: string): Promise<string[]> {
  const found: string[] = [];
  const folders = ['', ...(await readdir(maildir)).filter((f) => f.startsWith('.'))];
  for (const folder of folders) {
    const newDir = join(maildir, folder, 'new');
    if (!existsSync(newDir)) continue;
    for (const f of await readdir(newDir)) if ((await readFile(join(newDir, f), 'latin1')).includes(`<${id}@example.org>`)) found.push(folder || 'INBOX');
  }
  return found.sort();
}

test('Dovecot LDA with Sieve rules written for SpamAssassin (X-Spam-Flag, X-Spam-Level stars, Pigeonhole spamtest on X-Spam-Status) files Moat\'s spam into Junk and its ham into INBOX', async () => {
  const home = join(dir, 'sieve-user');
  const lda = asNobody(home, [DOVECOT_LDA, '-c', join(dir, 'dovecot', 'dovecot.conf'), '-f', 'alice@example.org']);
  await deliver(lda, message('sieve-spam-1', 'Hello, moat-test-spam-marker inside.'));
  await deliver(lda, message('sieve-ham-1', 'The minutes of Monday\'s meeting.'));
  const maildir = join(home, 'Maildir');
  assert.deepEqual(await foldersHolding(maildir, 'sieve-spam-1'), ['.Junk', '.Spamtest', '.Stars'], 'spamtest saw a score over required, the stars and the flag matched');
  assert.deepEqual(await foldersHolding(maildir, 'sieve-ham-1'), ['INBOX']);
});

test('procmail with the recipes SpamAssassin documents (^X-Spam-Status: Yes, ^X-Spam-Flag: YES, X-Spam-Level stars) files Moat\'s spam and keeps its ham in the inbox', async () => {
  const home = join(dir, 'procmail-user');
  const procmail = asNobody(home, [PROCMAIL, '-m', join(home, '.procmailrc')]);
  await deliver(procmail, message('procmail-spam-1', 'Hello, moat-test-spam-marker inside.'));
  await deliver(procmail, message('procmail-ham-1', 'The minutes of Monday\'s meeting.'));
  const maildir = join(home, 'Maildir');
  assert.deepEqual(await foldersHolding(maildir, 'procmail-spam-1'), ['.almost-certainly-spam', '.flagged-spam', '.probably-spam']);
  assert.deepEqual(await foldersHolding(maildir, 'procmail-ham-1'), ['INBOX']);
});
