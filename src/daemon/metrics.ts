import { createServer, type Server } from 'node:http';
import type { ScannerStats } from '../core/verdict.js';

/** Upper bounds (seconds) of the processing-time histogram: a clean small mail takes ms, a big archive seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Counters the daemon exposes; one instance per daemon (no module state). */
export class DaemonMetrics {
  readonly messages = new Map<string, number>();
  readonly errors = new Map<string, number>();
  private readonly bucketCounts = BUCKETS.map(() => 0);
  private durationSum = 0;
  private durationCount = 0;
  reloads = 0;
  reloadFailures = 0;
  readonly started = Date.now();

  countAction(action: string, n = 1): void {
    this.messages.set(action, (this.messages.get(action) ?? 0) + n);
  }

  countError(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  observeDuration(seconds: number): void {
    this.durationSum += seconds;
    this.durationCount++;
    for (const [i, b] of BUCKETS.entries()) if (seconds <= b) this.bucketCounts[i]!++;
  }

  /** Prometheus text exposition format 0.0.4. */
  render(engine: ScannerStats & { dbVersion: string }, inFlight: number): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, lines: string[]) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    metric('moat_messages_total', 'counter', 'Recipient groups by final action.', [...this.messages].map(([a, n]) => `moat_messages_total{action="${a}"} ${n}`));
    metric('moat_message_errors_total', 'counter', 'Messages the pipeline could not decide (tempfailed), by error code.', [...this.errors].map(([c, n]) => `moat_message_errors_total{code="${c}"} ${n}`));
    metric('moat_message_processing_seconds', 'histogram', 'Pipeline time per message (scan, policy, rewrite, commit).', [
      ...BUCKETS.map((b, i) => `moat_message_processing_seconds_bucket{le="${b}"} ${this.bucketCounts[i]}`),
      `moat_message_processing_seconds_bucket{le="+Inf"} ${this.durationCount}`,
      `moat_message_processing_seconds_sum ${this.durationSum.toFixed(6)}`,
      `moat_message_processing_seconds_count ${this.durationCount}`,
    ]);
    metric('moat_messages_in_flight', 'gauge', 'Messages being processed now.', [`moat_messages_in_flight ${inFlight}`]);
    metric('moat_engine_scans_total', 'counter', 'Objects scanned by the engine.', [`moat_engine_scans_total ${engine.scans}`]);
    metric('moat_engine_bytes_total', 'counter', 'Bytes scanned by the engine.', [`moat_engine_bytes_total ${engine.bytes}`]);
    metric('moat_engine_detections_total', 'counter', 'Scans with a detection.', [`moat_engine_detections_total ${engine.detections}`]);
    metric('moat_engine_errors_total', 'counter', 'Scans that failed.', [`moat_engine_errors_total ${engine.errors}`]);
    metric('moat_engine_clean_cache_hits_total', 'counter', 'Objects answered from the clean cache instead of being matched again.', [`moat_engine_clean_cache_hits_total ${engine.cacheHits}`]);
    metric('moat_engine_workers', 'gauge', 'Engine worker threads.', [`moat_engine_workers ${engine.workers}`]);
    metric('moat_engine_busy_workers', 'gauge', 'Engine workers scanning now.', [`moat_engine_busy_workers ${engine.busyWorkers}`]);
    metric('moat_engine_queued_scans', 'gauge', 'Scans waiting for a worker.', [`moat_engine_queued_scans ${engine.queued}`]);
    metric('moat_engine_signatures', 'gauge', 'Signatures loaded.', [`moat_engine_signatures{db_version="${engine.dbVersion.replace(/["\\\n]/g, '_')}"} ${engine.signatures}`]);
    metric('moat_reloads_total', 'counter', 'Successful SIGHUP reloads.', [`moat_reloads_total ${this.reloads}`]);
    metric('moat_reload_failures_total', 'counter', 'Failed reloads (old config and signatures kept).', [`moat_reload_failures_total ${this.reloadFailures}`]);
    metric('moat_uptime_seconds', 'gauge', 'Seconds since the daemon started.', [`moat_uptime_seconds ${Math.round((Date.now() - this.started) / 1000)}`]);
    return `${out.join('\n')}\n`;
  }
}

/** Plain node:http listener for `/metrics` (loopback by default: it needs no authentication). */
export async function startMetricsServer(listen: string, render: () => string): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(listen);
  if (!m) throw new Error(`daemon.metrics_listen: expected host:port, got "${listen}"`);
  const server = createServer((req, res) => {
    if (req.url === '/metrics' || req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(render());
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(m[2]), m[1], () => resolve());
  });
  const addr = server.address();
  return {
    server,
    port: typeof addr === 'object' && addr ? addr.port : Number(m[2]),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
