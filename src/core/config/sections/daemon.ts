import { z } from 'zod';

export const DaemonSection = z.strictObject({
  /** Prometheus text exposition on loopback (`host:port`); empty = no metrics listener. */
  metrics_listen: z.string().default('127.0.0.1:9125'),
  /** On SIGTERM wait this long for in-flight messages before exiting (below systemd's 90 s TimeoutStopSec). */
  shutdown_grace_ms: z.number().int().positive().default(60_000),
});

export type DaemonConfig = z.infer<typeof DaemonSection>;
