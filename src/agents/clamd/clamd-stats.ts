import type { ScannerStats } from '../../core/verdict.js';

/**
 * STATS body in clamd's shape (clamd-protocol.md §2; "subject to change", but exporters parse
 * POOLS/STATE/THREADS/QUEUE/MEMSTATS). Lines end with LF; the reply terminator follows END.
 */
export function statsText(input: { live: number; idle: number; max: number; queued: number; scanner: ScannerStats; heapUsed: number }): string {
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(3)}M`;
  return [
    'POOLS: 1',
    '',
    'STATE: VALID PRIMARY',
    `THREADS: live ${input.live}  idle ${input.idle} max ${input.max} idle-timeout 30`,
    `QUEUE: ${input.queued} items`,
    `MEMSTATS: heap ${mb(input.heapUsed)} mmap N/A used N/A free N/A releasable N/A pools 1 pools_used N/A pools_total N/A`,
    `SCANNER: scans ${input.scanner.scans} bytes ${input.scanner.bytes} detections ${input.scanner.detections} errors ${input.scanner.errors} workers ${input.scanner.workers} busy ${input.scanner.busyWorkers} signatures ${input.scanner.signatures}`,
    'END',
  ].join('\n');
}
