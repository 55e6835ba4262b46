import type { CliCommand } from '../context.js';

/**
 * Every sub-command, loaded lazily so `moat mda` does not pay for the web UI's imports.
 * Each module exports a `command` named after its file.
 */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  scan: { summary: 'scan files, directories or stdin (clamscan-like)', load: async () => (await import('./scan.js')).scanCommand },
  daemon: { summary: 'run the scanning daemon with its agents', load: async () => (await import('./daemon.js')).daemonCommand },
  config: { summary: 'check or show the configuration', load: async () => (await import('./config.js')).configCommand },
  quarantine: { summary: 'list, show, release, delete, expire quarantined mail', load: async () => (await import('./quarantine.js')).quarantineCommand },
  mda: { summary: 'scan, then hand the message to the real delivery program', load: async () => (await import('./mda.js')).mdaCommand },
  pipe: { summary: 'stdin → scan → stdout when accepted', load: async () => (await import('./pipe.js')).pipeCommand },
  'qmail-queue': { summary: 'drop-in qmail-queue wrapper', load: async () => (await import('./qmail-queue.js')).qmailQueueCommand },
  cgp: { summary: 'CommuniGate Pro external filter helper', load: async () => (await import('./cgp.js')).cgpCommand },
  learn: { summary: 'train the Bayes classifier with spam or ham', load: async () => (await import('./learn.js')).learnCommand },
  classify: { summary: 'score messages for spam and explain the verdict', load: async () => (await import('./classify.js')).classifyCommand },
  version: { summary: 'print the version', load: async () => (await import('./version.js')).versionCommand },
};
