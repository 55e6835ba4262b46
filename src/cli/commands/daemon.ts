import { resolve } from 'node:path';
import type { CliCommand } from '../context.js';
import { runDaemonProcess } from '../../daemon/run-daemon.js';

const HELP = `Usage: moat daemon [--config FILE] [--state-dir DIR]

Runs the scanning daemon in the foreground: the engine worker pool, every agent enabled in
the configuration ([smtp], [milter], [local], [clamd]), quarantine and the message log.
Without a configuration file it runs on embedded defaults: state under ./var, the SMTP agent
on 127.0.0.1:10024 delivering accepted mail to Maildirs under ./var/mail.

Logs: one JSON line per message step on stdout (global.log_target = "syslog" for syslog).
Metrics: Prometheus text on http://127.0.0.1:9125/metrics ([daemon] metrics_listen).

Signals: SIGHUP reloads configuration and signatures without dropping a connection;
SIGTERM / SIGINT stop accepting, finish in-flight messages, then exit 0.
Exit status: 0 after a clean stop, 78 for a configuration error, 1 when startup failed.
`;

export const daemonCommand: CliCommand = {
  name: 'daemon',
  summary: 'run the scanning daemon with its agents (foreground)',
  help: HELP,
  async run(ctx, argv) {
    if (argv.length > 0) {
      ctx.stderr.write(`moat daemon: unexpected argument "${argv[0]}"\n\n${HELP}`);
      return 2;
    }
    return runDaemonProcess({
      loadConfig: () => ctx.loadConfig(),
      cwd: ctx.cwd,
      configPath: ctx.configPath ? resolve(ctx.cwd, ctx.configPath) : undefined,
      logLevel: ctx.env.MOAT_LOG_LEVEL,
      stderr: ctx.stderr,
    });
  },
};
