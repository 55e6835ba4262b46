import { z } from 'zod';

export const MilterSection = z.strictObject({
  /** Serve the milter protocol (Postfix smtpd_milters, Sendmail INPUT_MAIL_FILTER). */
  enabled: z.boolean().default(false),
  /** UNIX socket path (relative to global.state_dir); empty = none. */
  unix_socket: z.string().default(''),
  /** Permissions of the UNIX socket: the MTA's user must connect. */
  unix_socket_mode: z.string().regex(/^[0-7]{3,4}$/).default('660'),
  /** TCP port; 0 = no TCP listener. Loopback by default: the protocol has no authentication. */
  tcp_port: z.number().int().min(0).max(65535).default(8891),
  tcp_addr: z.string().min(1).default('127.0.0.1'),
  /** Larger messages are tempfailed (the MTA keeps them) rather than passed unscanned. */
  max_message_bytes: z.number().int().positive().default(100 * 1024 * 1024),
  /** Send SMFIR_PROGRESS this often while scanning: below Sendmail's 10 s read timeout. */
  progress_interval_ms: z.number().int().positive().default(5_000),
  /** Deadline for the pipeline at end of message: below Postfix's 300 s milter_content_timeout. */
  process_timeout_ms: z.number().int().positive().default(240_000),
  /** Where added headers go: `top` (SMFIR_INSHEADER at 0, keeps DKIM-signed headers in place) or `bottom` (SMFIR_ADDHEADER). */
  header_position: z.enum(['top', 'bottom']).default('top'),
  /** Quarantined mail is held in the MTA's hold queue (SMFIR_QUARANTINE) instead of discarded. */
  hold_quarantined_in_mta: z.boolean().default(false),
});

export type MilterConfig = z.infer<typeof MilterSection>;
