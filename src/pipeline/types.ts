/**
 * The contract between agents and the pipeline (DESIGN.md §2). An agent builds a
 * Transaction, calls `pipeline.process`, and maps the Outcome to its protocol. It never
 * decides anything itself.
 */
export interface Envelope {
  /** Reverse path; '' for the null sender. */
  mailFrom: string;
  rcptTo: string[];
  /** ESMTP parameters worth passing on (SIZE, BODY=8BITMIME, SMTPUTF8). */
  params?: Record<string, string>;
}

export interface ClientInfo {
  /** Client IP as the MTA saw it (XFORWARD ADDR, milter connect, CGP envelope). */
  address?: string;
  hostname?: string;
  helo?: string;
  /** The MTA's queue id (XFORWARD, milter macro i) so logs trace one message. */
  queueId?: string;
  protocol?: string;
  authenticatedUser?: string;
}

export type InterceptionPoint = 'smtp' | 'smtp-proxy' | 'milter' | 'mda' | 'pipe' | 'qmail' | 'cgp' | 'pop3' | 'imap';

export interface Transaction {
  /** Moat's own id, unique per message, in every log line. */
  id: string;
  agent: InterceptionPoint;
  envelope: Envelope;
  client: ClientInfo;
  /** The message as received (headers + body, CRLF or LF as it came). Spooled to disk above the memory budget. */
  message: MessageSource;
  receivedAt: Date;
}

/** The message bytes: in memory for small mail, a spool file for large. */
export type MessageSource = { kind: 'buffer'; data: Buffer } | { kind: 'file'; path: string; size: number };

export type FinalAction = 'accept' | 'defer' | 'discard' | 'reject';

/** What happens to the recipients of one group (recipients whose policies agree). */
export interface RecipientOutcome {
  recipients: string[];
  action: FinalAction;
  /** SMTP-style reply the agent should give for reject/defer (code, enhanced code, text). */
  reply?: { code: number; enhanced?: string; text: string };
  /** For accept: the message to pass on (rewritten with headers, tag, cleaning) — absent = unchanged. */
  message?: MessageSource;
  /** Headers to add (milter adds them instead of replacing the body). */
  addHeaders: Array<{ name: string; value: string }>;
  /**
   * Header fields `message` no longer has (a sender's X-Spam-*, an Authentication-Results under
   * Moat's name), each as the nth field of its name in the original, for a milter's CHGHEADER.
   */
  removeHeaders?: Array<{ name: string; index: number }>;
  /** Replacement Subject for milter-style agents when tagging; absent = unchanged. */
  subject?: string;
  /** True when the body was changed (cleaning, footer): milter must replace the body. */
  bodyReplaced: boolean;
  quarantineId?: string;
}

export interface Outcome {
  transactionId: string;
  groups: RecipientOutcome[];
  /** One-line summary for logs: verdicts, detections, spam score. */
  summary: string;
}

export interface Pipeline {
  /**
   * Scans, decides per recipient, rewrites, stores quarantine copies and events.
   * Never throws for message content; throws a MoatError (temporary) only when it could
   * not reach a decision — agents turn that into a deferral.
   */
  process(tx: Transaction, signal?: AbortSignal): Promise<Outcome>;
}
