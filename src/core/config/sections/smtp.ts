import { z } from 'zod';

export const SmtpSection = z.strictObject({
  /** Run the SMTP agent (Postfix content_filter / smtpd_proxy_filter, outbound proxy). */
  enabled: z.boolean().default(true),
  /**
   * `after-queue`: Postfix `content_filter` (receive, scan, re-inject). `before-queue`: Postfix
   * `smtpd_proxy_filter` (the verdict is given inside the client's session). `outbound`: in front
   * of the MTA for mail clients. All three relay the next hop's reply to end-of-DATA.
   */
  mode: z.enum(['after-queue', 'before-queue', 'outbound']).default('after-queue'),
  listen_addr: z.string().min(1).default('127.0.0.1'),
  /** 10024 is the port Amavis made conventional for Postfix content filters. */
  listen_port: z.number().int().min(0).max(65535).default(10024),
  /** `host:port` of the MTA's re-injection listener (127.0.0.1:10025). Empty = deliver to Maildirs under `maildir`. */
  next_hop: z.string().default(''),
  /** Maildir root used when `next_hop` is empty; relative to global.state_dir. One Maildir per recipient local part. */
  maildir: z.string().min(1).default('mail'),
  /** Name in the greeting, EHLO reply and our EHLO to the next hop. */
  hostname: z.string().min(1).default('localhost'),
  /** SIZE limit (bytes); Postfix's default message_size_limit is 10 MB, leave head room above it. */
  max_message_bytes: z.number().int().positive().default(50 * 1024 * 1024),
  /** Pipeline deadline per message: well below Postfix's 600 s smtp_data_done_timeout so we answer 4xx first. */
  process_timeout_ms: z.number().int().positive().default(240_000),
  /** Per-command deadline talking to the next hop: Postfix smtpd waits 300 s, we must give up before the client does. */
  next_hop_timeout_ms: z.number().int().positive().default(120_000),
  /** Idle next-hop sessions kept for the next message, like Postfix's connection cache (0 = a new connection per message). */
  next_hop_cached_connections: z.number().int().min(0).max(1000).default(20),
  /** How long an idle next-hop session is kept before QUIT (Postfix smtp_connection_cache_time_limit is 2 s). */
  next_hop_cache_idle_ms: z.number().int().positive().default(2_000),
  /** Idle time before a client connection is dropped (RFC 5321 suggests ≥ 5 minutes). */
  socket_timeout_ms: z.number().int().positive().default(300_000),
  /** Connections at once; match Postfix's default_process_limit (100) for the content filter transport. */
  max_connections: z.number().int().min(1).max(100_000).default(100),
  /** Hosts whose XFORWARD attributes are believed and passed on (Postfix smtpd_authorized_xforward_hosts). */
  xforward_hosts: z.array(z.string().min(1)).default(['127.0.0.1', '::1', '::ffff:127.0.0.1']),
  /** Bare LF / bare CR in DATA: `normalize` to CRLF before re-injection (never lets a smuggled message through), or `reject` with 550. */
  bare_newline: z.enum(['normalize', 'reject']).default('normalize'),
  /** PEM certificate and key for STARTTLS; both empty = no STARTTLS. Relative paths resolve against the config file's directory. */
  tls_cert: z.string().default(''),
  tls_key: z.string().default(''),
  /** Recipients rejected by policy when other recipients of the same message are accepted: send a bounce (DSN) to the sender from MAILER-DAEMON. */
  bounce_partial_rejects: z.boolean().default(true),
});

export type SmtpConfig = z.infer<typeof SmtpSection>;
