import { toMoatError } from '../core/errors.js';
import type { Outcome, Pipeline, Transaction } from '../pipeline/types.js';
import type { DaemonMetrics } from './metrics.js';

/**
 * The pipeline every agent holds. It forwards to the *current* pipeline (swapped on SIGHUP:
 * in-flight messages finish on the old one) and feeds the metrics.
 */
export class SwappablePipeline implements Pipeline {
  private active = 0;

  constructor(
    private current: Pipeline,
    private readonly metrics: DaemonMetrics,
  ) {}

  swap(next: Pipeline): void {
    this.current = next;
  }

  inFlight(): number {
    return this.active;
  }

  async process(tx: Transaction, signal?: AbortSignal): Promise<Outcome> {
    const started = performance.now();
    this.active++;
    try {
      const outcome = await this.current.process(tx, signal);
      for (const g of outcome.groups) this.metrics.countAction(g.action, Math.max(1, g.recipients.length));
      return outcome;
    } catch (err) {
      this.metrics.countError(toMoatError(err).code);
      throw err;
    } finally {
      this.active--;
      this.metrics.observeDuration((performance.now() - started) / 1000);
    }
  }
}
