/**
 * Builds an engine snapshot (load databases, compile the matcher) off the main thread, so
 * agents keep answering while a large database loads or reloads. The snapshot's big parts are
 * SharedArrayBuffers: posting it back shares them, it does not copy them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildEngineSnapshot } from '../engine-snapshot.js';
import { toMoatError } from '../../core/errors.js';
import type { BuildRequest } from './build-request.js';

const request = workerData as BuildRequest;
try {
  const { snapshot, report } = await buildEngineSnapshot(request.paths, { strict: request.strict, pua: request.pua, nowSeconds: request.nowSeconds });
  parentPort!.postMessage({ ok: true, snapshot, report });
} catch (err) {
  const e = toMoatError(err);
  parentPort!.postMessage({ ok: false, code: e.code, message: e.message });
}
