import { z } from 'zod';

export const GlobalSection = z.strictObject({
  /** Where Moat keeps its state: quarantine, spool, SQLite store. Relative paths resolve against the working directory. */
  state_dir: z.string().min(1).default('./var'),
  log_level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** `stdout` writes JSON lines (journald picks them up); `syslog` sends to the local syslog socket. */
  log_target: z.enum(['stdout', 'stderr', 'syslog']).default('stdout'),
});
