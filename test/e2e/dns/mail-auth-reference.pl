#!/usr/bin/perl
# The independent side of Moat's authentication tests: Perl's Mail::SPF, Mail::DKIM (DKIM and
# ARC) and Mail::DMARC from Debian, pointed at the test's DNS server. Reads a message (CRLF) on
# standard input.
#
#   mail-auth-reference.pl verify PORT IP HELO MAILFROM   -> one JSON line {spf,dkim,dmarc,arc}
#   mail-auth-reference.pl sign KEYFILE DOMAIN SELECTOR CANON HEADERS   -> the message, signed
#   mail-auth-reference.pl seal PORT KEYFILE DOMAIN SELECTOR SRVID   -> the message, ARC-sealed
#
# MAILFROM "-" is the null sender. CANON is header/body canonicalization, e.g. relaxed/simple.
use strict;
use warnings;
use Net::DNS;
use Mail::SPF;
use Mail::DKIM::Verifier;
use Mail::DKIM::Signer;
use Mail::DKIM::ARC::Signer;
use Mail::DKIM::ARC::Verifier;
use Mail::DMARC::PurePerl;

# The test zones live under .test (RFC 6761), which the Public Suffix List does not name; Mail::DMARC
# refuses domains whose top label is no public suffix, so .test is made one, as the list's
# default rule ("*") makes any unlisted top-level domain for mailauth.
{
    no warnings 'redefine';
    my $listed = \&Mail::DMARC::Base::is_public_suffix;
    *Mail::DMARC::Base::is_public_suffix = sub { my ($self, $zone) = @_; return 1 if lc($zone // '') eq 'test'; return $listed->(@_) };
}

binmode STDIN;
binmode STDOUT;
my $message = do { local $/; <STDIN> };
my $mode = shift @ARGV // '';

sub resolver_on {
    my ($port) = @_;
    return Net::DNS::Resolver->new(nameservers => ['127.0.0.1'], port => $port, recurse => 1, dnsrch => 0, defnames => 0, udp_timeout => 3, tcp_timeout => 3);
}

sub json_string {
    my ($s) = @_;
    $s //= '';
    $s =~ s/(["\\])/\\$1/g;
    $s =~ s/[\x00-\x1f]/ /g;
    return "\"$s\"";
}

sub domain_of {
    my ($address) = @_;
    return $address =~ /\@([^@>\s]+)\s*>?\s*$/ ? lc $1 : lc($address // '');
}

if ($mode eq 'sign') {
    my ($keyfile, $domain, $selector, $canon, $headers) = @ARGV;
    my $signer = Mail::DKIM::Signer->new(Algorithm => 'rsa-sha256', Method => $canon, Domain => $domain, Selector => $selector, KeyFile => $keyfile, Headers => $headers);
    $signer->PRINT($message);
    $signer->CLOSE;
    print $signer->signature->as_string, "\r\n", $message;
    exit 0;
}

if ($mode eq 'seal') {
    my ($port, $keyfile, $domain, $selector, $srvid) = @ARGV;
    Mail::DKIM::DNS::resolver(resolver_on($port));
    my $sealer = Mail::DKIM::ARC::Signer->new(Algorithm => 'rsa-sha256', Domain => $domain, Selector => $selector, SrvId => $srvid, KeyFile => $keyfile, Chain => 'ar');
    $sealer->PRINT($message);
    $sealer->CLOSE;
    die 'sealing failed: ' . ($sealer->result_detail // 'no detail') . "\n" unless $sealer->result eq 'sealed';
    print join("\r\n", $sealer->as_strings), "\r\n", $message;
    exit 0;
}

die "usage: mail-auth-reference.pl verify|sign|seal ...\n" unless $mode eq 'verify';
my ($port, $ip, $helo, $mailfrom) = @ARGV;
my $resolver = resolver_on($port);
$mailfrom = '' if $mailfrom eq '-';

# SPF (RFC 7208): MAIL FROM identity, or the HELO identity for the null sender.
my $spf_server = Mail::SPF::Server->new(dns_resolver => $resolver);
my $request = $mailfrom ne ''
    ? Mail::SPF::Request->new(scope => 'mfrom', identity => $mailfrom, ip_address => $ip, helo_identity => $helo)
    : Mail::SPF::Request->new(scope => 'helo', identity => $helo, ip_address => $ip);
my $spf = $spf_server->process($request)->code;

# DKIM (RFC 6376): the best result among the signatures.
Mail::DKIM::DNS::resolver($resolver);
my $verifier = Mail::DKIM::Verifier->new;
$verifier->PRINT($message);
$verifier->CLOSE;
my $dkim = $verifier->result;

# ARC (RFC 8617).
my $arc_verifier = Mail::DKIM::ARC::Verifier->new;
$arc_verifier->PRINT($message);
$arc_verifier->CLOSE;
my $arc = $arc_verifier->result;

# DMARC (RFC 7489) from the SPF and DKIM results above.
my ($from_header) = $message =~ /^From:[ \t]*(.*(?:\r\n[ \t].*)*)/mi;
$from_header //= '';
$from_header =~ s/\r\n[ \t]+/ /g;
my $dmarc = Mail::DMARC::PurePerl->new;
$dmarc->set_resolver($resolver);
$dmarc->source_ip($ip);
$dmarc->envelope_to('ours.test');
$dmarc->envelope_from(domain_of($mailfrom ne '' ? $mailfrom : $helo));
$dmarc->header_from(domain_of($from_header));
$dmarc->dkim($verifier);
$dmarc->spf(domain => domain_of($mailfrom ne '' ? $mailfrom : $helo), scope => ($mailfrom ne '' ? 'mfrom' : 'helo'), result => $spf);
my $outcome = $dmarc->validate;
# No DMARC record for the From domain (nor its organizational domain): "none" (RFC 7489 §6.6.3).
my $published = eval { $outcome->published };
my $policy = $published ? ($published->p // '') : '';
my $dmarc_result = $published ? ($outcome->result // '') : 'none';

print '{"spf":', json_string($spf), ',"dkim":', json_string($dkim), ',"dmarc":', json_string($dmarc_result),
    ',"dmarcPolicy":', json_string($policy), ',"arc":', json_string($arc), "}\n";
