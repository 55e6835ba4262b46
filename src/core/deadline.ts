import { MoatError } from './errors.js';

/**
 * A signal that aborts when `parent` aborts (with its reason) or after `ms` (a TimeoutError), and
 * `dispose()` to drop the timer and the listener once the work is done. One per message on the
 * SMTP path: about half the cost of AbortSignal.any([parent, AbortSignal.timeout(ms)]) in Node 20,
 * and nothing stays attached to the long-lived parent afterwards.
 */
export function deadline(parent: AbortSignal, ms: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, dispose: () => undefined };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms);
  timer.unref();
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * `work`, or a rejection as soon as `signal` aborts, whichever comes first: a step that does not
 * watch the signal itself (a store call stuck on a hung server) cannot hold the caller past its
 * deadline. What `work` does after that is not waited for, and its failure is not reported.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      const timedOut = (signal.reason as Error | undefined)?.name === 'TimeoutError';
      reject(new MoatError(timedOut ? 'TIMEOUT' : 'ABORTED', `${what}: ${timedOut ? 'deadline passed' : 'aborted'} before it finished`));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
