import type { ScanLimits } from '../../core/limits.js';
import type { UnpackBudget } from '../unpack/unpacker.js';

/**
 * One scan's budget, shared by every container in it: bytes produced by decompression,
 * objects created, and the wall-clock deadline. Exhausting it yields states, never exceptions.
 */
export class ScanBudget implements UnpackBudget {
  private bytesLeft: number;
  private objectsLeft: number;
  readonly deadline: number;

  constructor(
    readonly limits: ScanLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.bytesLeft = limits.maxScanBytes;
    this.objectsLeft = limits.maxObjects;
    this.deadline = now() + limits.maxScanTimeMs;
  }

  remainingBytes(): number {
    return this.bytesLeft;
  }

  consume(bytes: number): boolean {
    if (bytes > this.bytesLeft) {
      this.bytesLeft = 0;
      return false;
    }
    this.bytesLeft -= bytes;
    return true;
  }

  remainingObjects(): number {
    return this.objectsLeft;
  }

  /** Takes one object slot; false when the scan already holds maxObjects objects. */
  takeObject(): boolean {
    if (this.objectsLeft <= 0) return false;
    this.objectsLeft--;
    return true;
  }

  expired(): boolean {
    return this.now() > this.deadline;
  }

  get bytesScanned(): number {
    return this.limits.maxScanBytes - this.bytesLeft;
  }
}
