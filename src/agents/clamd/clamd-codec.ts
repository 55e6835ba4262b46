/**
 * clamd wire format (clamd-protocol.md §1–3): command table, prefixes, parsing of one
 * command line, and the reply grammar. Pure functions: no sockets here.
 */

export type ClamdCommandName =
  | 'SCAN'
  | 'QUIT'
  | 'RELOAD'
  | 'PING'
  | 'CONTSCAN'
  | 'VERSIONCOMMANDS'
  | 'VERSION'
  | 'END'
  | 'SHUTDOWN'
  | 'MULTISCAN'
  | 'FILDES'
  | 'STATS'
  | 'IDSESSION'
  | 'INSTREAM'
  | 'DETSTATSCLEAR'
  | 'DETSTATS'
  | 'ALLMATCHSCAN';

interface CommandSpec {
  name: ClamdCommandName;
  /** Takes a path argument after exactly one space. */
  hasArg: boolean;
  /** Accepted without a z/n prefix. */
  oldStyle: boolean;
}

/** clamd's table in its own order: VERSIONCOMMANDS must be tried before VERSION (shared prefix). */
export const COMMAND_TABLE: readonly CommandSpec[] = [
  { name: 'SCAN', hasArg: true, oldStyle: true },
  { name: 'QUIT', hasArg: false, oldStyle: true },
  { name: 'RELOAD', hasArg: false, oldStyle: true },
  { name: 'PING', hasArg: false, oldStyle: true },
  { name: 'CONTSCAN', hasArg: true, oldStyle: true },
  { name: 'VERSIONCOMMANDS', hasArg: false, oldStyle: false },
  { name: 'VERSION', hasArg: false, oldStyle: true },
  { name: 'END', hasArg: false, oldStyle: false },
  { name: 'SHUTDOWN', hasArg: false, oldStyle: true },
  { name: 'MULTISCAN', hasArg: true, oldStyle: true },
  { name: 'FILDES', hasArg: false, oldStyle: true },
  { name: 'STATS', hasArg: false, oldStyle: false },
  { name: 'IDSESSION', hasArg: false, oldStyle: false },
  { name: 'INSTREAM', hasArg: false, oldStyle: false },
  { name: 'DETSTATSCLEAR', hasArg: false, oldStyle: true },
  { name: 'DETSTATS', hasArg: false, oldStyle: true },
  { name: 'ALLMATCHSCAN', hasArg: true, oldStyle: false },
];

/** The `| COMMANDS: …` list of VERSIONCOMMANDS: the table, in table order. */
export const COMMANDS_LIST = COMMAND_TABLE.map((c) => c.name).join(' ');

/** Commands allowed inside IDSESSION (clamd-protocol.md §5). */
export const SESSION_COMMANDS: ReadonlySet<ClamdCommandName> = new Set(['SCAN', 'INSTREAM', 'FILDES', 'VERSION', 'VERSIONCOMMANDS', 'PING', 'STATS', 'END']);

export type Framing = 'z' | 'n' | 'old';

export type ParsedCommand =
  | { kind: 'command'; name: ClamdCommandName; arg?: string; framing: Framing }
  | { kind: 'unknown'; framing: Framing };

/** Reply terminator: NUL for z-commands, LF otherwise. */
export function terminatorOf(framing: Framing): string {
  return framing === 'z' ? '\0' : '\n';
}

/**
 * Parses one command line (terminator already removed; for `n` and old style the trailing
 * CR/LF chomped). `framing` tells whether a prefix byte was present.
 */
export function parseCommandLine(line: string, framing: Framing): ParsedCommand {
  for (const spec of COMMAND_TABLE) {
    if (!line.startsWith(spec.name)) continue;
    if (framing === 'old' && !spec.oldStyle) return { kind: 'unknown', framing };
    const rest = line.slice(spec.name.length);
    if (spec.hasArg) {
      if (rest.length < 2 || rest[0] !== ' ') return { kind: 'unknown', framing };
      return { kind: 'command', name: spec.name, arg: rest.slice(1), framing };
    }
    if (rest.length !== 0) {
      // VERSION must not swallow VERSIONCOMMANDS' siblings: any trailing byte is UNKNOWN.
      continue;
    }
    return { kind: 'command', name: spec.name, framing };
  }
  return { kind: 'unknown', framing };
}

/** Strips trailing CR/LF as clamd's chomp does for `n` and old-style commands. */
export function chomp(line: string): string {
  let end = line.length;
  while (end > 0 && (line[end - 1] === '\n' || line[end - 1] === '\r')) end--;
  return line.slice(0, end);
}

/** Formats one reply line: `[<id>: ]<body><term>`. */
export function formatReply(body: string, framing: Framing, sessionId?: number): string {
  const id = sessionId === undefined ? '' : `${sessionId}: `;
  return `${id}${body}${terminatorOf(framing)}`;
}

/** `Sun Nov 22 12:06:00 2026` — C `ctime()` without its newline, as clamd's VERSION shows the DB time. */
export function ctimeString(date: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, ' ');
  return `${days[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${day} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${date.getUTCFullYear()}`;
}

/** The database number clamd prints: the `daily` version if present, else the highest number in the version string. */
export function databaseNumber(dbVersion: string): number {
  const daily = /(?:^|,)daily:(\d+)/.exec(dbVersion);
  if (daily) return Number(daily[1]);
  let best = 0;
  for (const m of dbVersion.matchAll(/:(\d+)/g)) best = Math.max(best, Number(m[1]));
  return best;
}

export function versionReply(versionString: string, dbVersion: string | undefined, dbTime: Date | undefined): string {
  if (!dbVersion) return versionString;
  return `${versionString}/${databaseNumber(dbVersion)}/${ctimeString(dbTime ?? new Date(0))}`;
}

/** Literal replies (clamd-protocol.md §3). */
export const REPLIES = {
  pong: 'PONG',
  reloading: 'RELOADING',
  unknown: 'UNKNOWN COMMAND',
  unavailable: 'COMMAND UNAVAILABLE',
  readTimeout: 'COMMAND READ TIMED OUT',
  invalidInSession: 'Command invalid inside IDSESSION. ERROR',
  onlyPrefixedInSession: 'Only nCMDS\\n and zCMDS\\0 are accepted inside IDSESSION. ERROR',
  sizeLimit: 'INSTREAM size limit exceeded. ERROR',
  noFd: 'No file descriptor received. ERROR',
  fildesUnsupported: 'FILDES support not compiled in. ERROR',
  tempWriteError: 'Error writing to temporary file ERROR',
} as const;
