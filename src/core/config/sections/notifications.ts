import { z } from 'zod';

/**
 * `[notifications]`: mails about infected messages, from templates. Sender notices are off by
 * default: malware forges its sender, so a notice would be backscatter to an innocent address.
 */
export const NotificationsSection = z.strictObject({
  /** Administrator address; empty = no admin notices. */
  admin: z.string().default(''),
  /** From: of notices (also the envelope sender is empty, as for bounces, so notices never loop). */
  from: z.string().default('postmaster@localhost'),
  notify_admin: z.boolean().default(true),
  notify_recipient: z.boolean().default(false),
  notify_sender: z.boolean().default(false),
  /** Directory with admin.txt, recipient.txt, sender.txt; empty = the shipped config/templates. */
  templates_dir: z.string().default(''),
});

export type NotificationsConfig = z.infer<typeof NotificationsSection>;
