#!/usr/bin/env bash
# Installs the real Debian programs Moat's tests and benchmarks run against.
# Services are NOT started by the packages (policy-rc.d); the test harness starts
# private instances on loopback and stops them.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if [[ ! -x /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
fi
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "postfix postfix/mailname string moat.test" | debconf-set-selections
PKGS=(
  # engine differential tests and benchmark peers
  clamav clamav-daemon clamdscan
  # MTA and SMTP tools (smtp-source/smtp-sink ship in postfix)
  postfix swaks
  # peers: amavisd-new, SpamAssassin
  amavisd-new spamassassin spamc spamd
  # milter test driver
  miltertest
  # delivery programs behind moat mda: Dovecot LDA with Pigeonhole Sieve, procmail (spam headers filed by existing rules)
  dovecot-core dovecot-sieve procmail
  # the one library the privately extracted (setuid) Exim cannot load through LD_LIBRARY_PATH
  libspf2-2
  # builds the private Sendmail's sendmail.cf from sendmail-cf's m4 macros
  m4
  # fixture generators
  zip unzip p7zip-full gcab cabextract arj tnef cpio xz-utils bzip2 gzip
  # OLE2 (compound file) writer for container fixtures: gsf createole
  libgsf-bin
  # PDF rewriting for container fixtures: object streams, xref streams, encryption
  qpdf
  # SZDD (MS compress.exe) writer for container fixtures
  mscompress
  # a private Redis the tests can stop (the Bayes store when Redis goes away)
  redis-server
  # real DNS servers for the anti-spam network checks: rbldnsd serves the blocklists, NSD the
  # SPF/DKIM/DMARC zones; Perl's Mail::SPF, Mail::DKIM (ARC too) and Mail::DMARC are the
  # independent implementations Moat's authentication results are compared with
  rbldnsd nsd libmail-spf-perl libmail-dkim-perl libmail-dmarc-perl libnet-dns-perl
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Private (not installed) Exim for the agents' end-to-end tests; idempotent.
exim_installer="$(dirname "$0")/../test/e2e/harness-agents/install-exim.sh"
if [[ -x "$exim_installer" ]]; then
  "$exim_installer" || echo "warning: private Exim not extracted; Exim tests will skip" >&2
fi
sendmail_installer="$(dirname "$0")/../test/e2e/harness-agents/install-sendmail.sh"
if [[ -x "$sendmail_installer" ]]; then
  "$sendmail_installer" || echo "warning: private Sendmail not extracted; Sendmail tests will skip" >&2
fi
