import { z } from 'zod';

export const QuarantineSection = z.strictObject({
  /** Where released messages are re-injected (the MTA's re-injection listener, as for `smtp.next_hop`). */
  release_host: z.string().default('127.0.0.1'),
  release_port: z.number().int().min(1).max(65535).default(10025),
  /** `moat quarantine expire` without --older-than removes entries older than this many days. */
  retention_days: z.number().int().min(1).default(30),
});
