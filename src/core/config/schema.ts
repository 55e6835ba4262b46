import { z } from 'zod';
import { GlobalSection } from './sections/global.js';
import { EngineSection } from './sections/engine.js';
import { HeuristicsSection } from './sections/heuristics.js';
import { ClamdSection } from './sections/clamd.js';
import { LocalSection } from './sections/local.js';
import { ListsSection, OverrideSection, PolicySection } from './sections/policy.js';
import { QuarantineSection } from './sections/quarantine.js';
import { AntispamSection } from './sections/antispam.js';
import { NotificationsSection } from './sections/notifications.js';
import { MilterSection } from './sections/milter.js';
import { SmtpSection } from './sections/smtp.js';
import { DaemonSection } from './sections/daemon.js';

/**
 * The whole configuration. Each section lives in `sections/<name>.ts`, owned by the module
 * that reads it. Unknown keys are errors (a typo must not silently fall back to a default).
 */
export const ConfigSchema = z.strictObject({
  global: GlobalSection.prefault({}),
  engine: EngineSection.prefault({}),
  heuristics: HeuristicsSection.prefault({}),
  clamd: ClamdSection.prefault({}),
  local: LocalSection.prefault({}),
  policy: PolicySection.prefault({}),
  lists: ListsSection.prefault({}),
  /** Per-recipient overrides: `[users."alice@example.com"]`, `[users."@example.org"]`. */
  users: z.record(z.string(), OverrideSection).default({}),
  /** Per-sender overrides, same keys. */
  senders: z.record(z.string(), OverrideSection).default({}),
  /** Named groups users inherit from; `parent_id` chains them. */
  groups: z.record(z.string(), OverrideSection).default({}),
  quarantine: QuarantineSection.prefault({}),
  antispam: AntispamSection.prefault({}),
  notifications: NotificationsSection.prefault({}),
  milter: MilterSection.prefault({}),
  smtp: SmtpSection.prefault({}),
  daemon: DaemonSection.prefault({}),
});

export type MoatConfig = z.infer<typeof ConfigSchema>;
