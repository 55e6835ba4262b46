import type { ClientInfo, Envelope } from './types.js';

/** Lifecycle of a quarantined message; `releasing` is the durable marker that makes release exactly-once. */
export type QuarantineStatus = 'held' | 'releasing' | 'released' | 'deleted';

export interface QuarantineEntry {
  id: string;
  transactionId: string;
  createdAt: Date;
  envelope: Envelope;
  client: ClientInfo;
  /** Why it is held: `infected`, `not_scanned`, `spam`... */
  reason: string;
  detections: string[];
  /** Recipients the policy quarantined it for (release re-injects to exactly these). */
  recipients: string[];
  size: number;
  status: QuarantineStatus;
  releasedAt?: Date;
  /** Recipients it was released to, once released. */
  releasedTo?: string[];
}

export type NewQuarantineEntry = Omit<QuarantineEntry, 'id' | 'status' | 'releasedAt' | 'releasedTo' | 'size' | 'createdAt'>;

/** Durable quarantine storage, implemented in src/storage (SQLite embedded; shared stores for clusters). */
export interface QuarantineStore {
  /** Stores message + metadata durably (fsync) before resolving; returns the new id. */
  put(entry: NewQuarantineEntry, message: Buffer, now: Date): Promise<string>;
  get(id: string): QuarantineEntry | undefined;
  list(options: { limit: number; status?: QuarantineStatus }): QuarantineEntry[];
  readMessage(id: string): Promise<Buffer>;
  /** Atomically moves held → releasing; false when the entry is not held (already released, releasing, deleted). */
  beginRelease(id: string): boolean;
  finishRelease(id: string, recipients: string[], now: Date): void;
  /** Delivery failed: back to held so the release can be retried. */
  abortRelease(id: string): void;
  delete(id: string): boolean;
  /** Deletes entries created before `before`; returns how many. */
  expire(before: Date): number;
}

export interface MessageEvent {
  transactionId: string;
  queueId?: string;
  agent: string;
  receivedAt: Date;
  mailFrom: string;
  rcptTo: string[];
  size: number;
  avVerdict: string;
  detections: string[];
  spamScore?: number;
  /** `accept:a@x,b@x; reject:c@x` */
  actions: string;
  quarantineId?: string;
  durationMs: number;
  dbVersion: string;
}

/** The message event log (one row per message), implemented in src/storage. */
export interface EventLog {
  record(event: MessageEvent): void;
  recent(limit: number): MessageEvent[];
}
