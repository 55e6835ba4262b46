import { COMMANDS } from './commands/registry.js';
import type { CliContext } from './context.js';
import { readConfigFiles } from './config-files.js';
import { createLogger, type LogLevel } from '../core/logger.js';
import { isMoatError, toMoatError } from '../core/errors.js';

const GLOBAL_HELP = `Usage: moat [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]

Moat is a mail security gateway: an antivirus engine that loads ClamAV signature
databases, anti-spam, and agents for every point where an MTA passes mail.

Global options (accepted before or after the command):
  --config FILE      configuration file (env MOAT_CONFIG; default /etc/moat/moat.toml
                     when it exists, else the embedded defaults)
  --state-dir DIR    state directory (env MOAT_STATE_DIR; default from config, ./var)
  -h, --help         help for moat or for one command

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(13)}${c.summary}`)
  .join('\n')}

Run "moat COMMAND --help" for a command's options.
`;

/** Pulls --config/--state-dir out of argv (up to a bare "--"), leaving the rest for the command. */
export function extractGlobalOptions(argv: string[]): { config?: string; stateDir?: string; rest: string[] } {
  const rest: string[] = [];
  let config: string | undefined;
  let stateDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const take = (name: string): string | undefined => {
      if (arg === name) {
        const value = argv[++i];
        if (value === undefined) throw new Error(`${name} needs a value`);
        return value;
      }
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
      return undefined;
    };
    const c = take('--config');
    if (c !== undefined) {
      config = c;
      continue;
    }
    const s = take('--state-dir');
    if (s !== undefined) {
      stateDir = s;
      continue;
    }
    rest.push(arg);
  }
  return { config, stateDir, rest };
}

/** Commands whose standard output is only a report (see the EPIPE handling in main); also moat learn --stats and --export. */
const REPORT_COMMANDS = new Set(['classify', 'config', 'scan', 'version']);
const EXIT_BROKEN_PIPE = 141;

export async function main(argv: string[], io: Partial<Pick<CliContext, 'stdin' | 'stdout' | 'stderr' | 'env' | 'cwd'>> = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  let globals: ReturnType<typeof extractGlobalOptions>;
  try {
    globals = extractGlobalOptions(argv);
  } catch (err) {
    stderr.write(`moat: ${(err as Error).message}\n`);
    return 2;
  }
  const [name, ...rest] = globals.rest;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    (name ? stdout : stderr).write(GLOBAL_HELP);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') return main(['version'], io);
  const entry = COMMANDS[name];
  if (!entry) {
    stderr.write(`moat: unknown command "${name}"\n\n${GLOBAL_HELP}`);
    return 2;
  }
  const command = await entry.load();
  // A report piped into `head` or a pager that quits: end as Unix tools do (128 + SIGPIPE), without
  // a stack trace. Only commands whose output is a report: moat pipe, mda, qmail-queue and cgp
  // hand mail over on standard output and must turn a failed write into a temporary failure.
  // moat learn's lines are a report too, but the learning matters more: a reader gone (EPIPE) or
  // a full disk ends the lines, not the learning (said once on standard error when not EPIPE).
  const learning = name === 'learn' && !rest.some((a) => a === '--stats' || a.startsWith('--export'));
  if (learning && stdout === process.stdout) {
    let said = false;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || said) return;
      said = true;
      stderr.write(`moat learn: cannot write the output (${err.message}); learning goes on\n`);
    });
  }
  if ((REPORT_COMMANDS.has(name) || (name === 'learn' && !learning)) && stdout === process.stdout) {
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
      // Any other failed write (a full disk): the report is lost, so say so and fail.
      stderr.write(`moat ${name}: cannot write the output: ${err.message}\n`);
      process.exit(2);
    });
  }
  const ownArgs = rest.indexOf('--') === -1 ? rest : rest.slice(0, rest.indexOf('--'));
  if (ownArgs.includes('--help') || ownArgs.includes('-h')) {
    stdout.write(command.help);
    return 0;
  }
  const configPath = globals.config ?? env.MOAT_CONFIG ?? undefined;
  const stateDirOverride = globals.stateDir ?? env.MOAT_STATE_DIR ?? undefined;
  const ctx: CliContext = {
    stdin: io.stdin ?? process.stdin,
    stdout,
    stderr,
    env,
    cwd,
    configPath,
    stateDirOverride,
    loadConfig: () => readConfigFiles({ path: configPath, cwd, stateDirOverride }),
    createLogger: (level) => createLogger({ level: (level ?? env.MOAT_LOG_LEVEL ?? 'info') as LogLevel, destination: process.stderr }),
  };
  try {
    return await command.run(ctx, rest);
  } catch (err) {
    const e = toMoatError(err);
    stderr.write(`moat ${name}: ${e.code}: ${e.message}\n`);
    if (!isMoatError(err) && env.MOAT_DEBUG) stderr.write(`${(err as Error).stack}\n`);
    return 2;
  }
}

