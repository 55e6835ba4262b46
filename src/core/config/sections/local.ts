import { z } from 'zod';

export const LocalSection = z.strictObject({
  /** The daemon socket by which `moat mda`, `moat pipe`, `moat qmail-queue` and `moat cgp` submit mail. */
  enabled: z.boolean().default(true),
  /** UNIX socket path; relative paths resolve against global.state_dir. */
  socket: z.string().min(1).default('moat.sock'),
  /** Permissions of the socket: the MTA's delivery user (postfix, qmaild, cgp) must be able to connect. */
  socket_mode: z.string().regex(/^[0-7]{3,4}$/).default('666'),
  /** Largest message accepted (bytes); above it the client gets a temporary failure so the MTA keeps the mail. */
  max_message_bytes: z.number().int().positive().default(100 * 1024 * 1024),
  /** Messages above this are spooled to <state_dir>/spool/local instead of kept in memory. */
  memory_spool_bytes: z.number().int().positive().default(4 * 1024 * 1024),
  /** Deadline for one message in the pipeline; kept below Postfix's 1000 s command_time_limit. */
  process_timeout_ms: z.number().int().positive().default(300_000),
  /** Wait for the next frame from a client before dropping the connection. */
  read_timeout_ms: z.number().int().positive().default(60_000),
  /** Connections served at once; more are refused (clients then tempfail). */
  max_connections: z.number().int().min(1).max(100_000).default(500),
});

export type LocalConfig = z.infer<typeof LocalSection>;
