/**
 * Perl's Mail::SPF, Mail::DKIM and Mail::DMARC from Debian (test/e2e/dns/mail-auth-reference.pl)
 * as the independent side of the authentication tests: they sign and ARC-seal test messages and
 * verify them against the same DNS server Moat asks.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../dns/mail-auth-reference.pl', import.meta.url));

/** Whether the Perl modules are installed (scripts/install-debian-deps.sh). */
export const perlMailAuthReady = spawnSync('perl', ['-MMail::SPF', '-MMail::DKIM::ARC::Signer', '-MMail::DMARC::PurePerl', '-e', '1']).status === 0;

/** Runs the reference script in one of its modes (verify, sign, seal) with the message on standard input. */
export function mailAuthReference(args: string[], message: string): string {
  const r = spawnSync('perl', [SCRIPT, ...args], { input: message, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`mail-auth-reference.pl ${args[0]} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** A fresh RSA key: its PEM for Mail::DKIM and its DKIM TXT record (RFC 6376 §3.6.1). */
export function dkimKey(): { pem: string; record: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    pem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    record: `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
  };
}
