import { z } from 'zod';

/** States a clamd-style scan must not answer `OK` for (they reply `ERROR`, so callers tempfail). */
export const CLAMD_ERROR_STATES = ['too_big', 'depth_exceeded', 'scan_error', 'encrypted', 'corrupted', 'unsupported'] as const;

export const ClamdSection = z.strictObject({
  /** Serve the clamd protocol (AMaViS, Exim, rspamd, Haraka, clamdscan use Moat unchanged). */
  enabled: z.boolean().default(false),
  /** UNIX socket path (clamd `LocalSocket`); relative paths resolve against global.state_dir. Empty = no UNIX socket. */
  local_socket: z.string().default(''),
  /** Permissions of the UNIX socket (clamd `LocalSocketMode`); the protocol has no authentication. */
  local_socket_mode: z.string().regex(/^[0-7]{3,4}$/).default('660'),
  /** TCP port (clamd `TCPSocket`); 0 = no TCP listener. */
  tcp_port: z.number().int().min(0).max(65535).default(3310),
  /** TCP bind address (clamd `TCPAddr`); loopback by default because the protocol has no authentication. */
  tcp_addr: z.string().min(1).default('127.0.0.1'),
  /** INSTREAM quota in bytes (clamd `StreamMaxLength`, default 100M). */
  stream_max_length: z.number().int().positive().default(100 * 1024 * 1024),
  /** Wait for the first command (clamd `CommandReadTimeout`, 30 s). */
  command_read_timeout_ms: z.number().int().positive().default(30_000),
  /** Wait for later data and commands (clamd `ReadTimeout`, 120 s). */
  read_timeout_ms: z.number().int().positive().default(120_000),
  /** Scans running at once over all connections (clamd `MaxThreads`, 10). */
  max_threads: z.number().int().min(1).max(1024).default(10),
  /** Open connections (clamd `MaxConnectionQueueLength`, 200): beyond this new connections are closed. */
  max_connections: z.number().int().min(1).max(100_000).default(200),
  /** Directories path commands (SCAN, CONTSCAN, MULTISCAN, ALLMATCHSCAN) may read; empty = path commands refused. */
  scan_roots: z.array(z.string().min(1)).default([]),
  /** Follow symbolic links to files / directories inside scanned trees (clamd defaults: no). */
  follow_file_symlinks: z.boolean().default(false),
  follow_directory_symlinks: z.boolean().default(false),
  /** Where INSTREAM data is spooled; empty = <state_dir>/tmp/clamd. */
  temporary_directory: z.string().default(''),
  enable_shutdown_command: z.boolean().default(false),
  enable_reload_command: z.boolean().default(true),
  enable_version_command: z.boolean().default(true),
  enable_stats_command: z.boolean().default(true),
  enable_allmatch_command: z.boolean().default(true),
  /** Object states answered `ERROR` instead of `OK` (fail closed); remove states to answer like stock ClamAV. */
  error_states: z.array(z.enum(CLAMD_ERROR_STATES)).default(['too_big', 'depth_exceeded', 'scan_error']),
  /** Version text before the database part of VERSION replies. */
  version_string: z.string().min(1).default('ClamAV Moat-0.1.0'),
});

export type ClamdConfig = z.infer<typeof ClamdSection>;
