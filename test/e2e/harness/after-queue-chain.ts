/**
 * The after-queue chain of docs/postfix.md, as the end-to-end tests run it: swaks → a private
 * Postfix → content_filter → a Moat daemon → the re-injection smtpd → relayhost = a capturing
 * sink. The caller gives the Moat settings beyond the chain's own ([smtp] ports, [local] off,
 * metrics on a free port).
 */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { startCaptureSink, type CaptureSink } from './capture-sink.js';
import { startMoatDaemon, type MoatDaemon } from './moat-daemon.js';
import { freePort } from './ports.js';
import { afterQueueConfig, startPostfix, type PostfixInstance } from './postfix-instance.js';

export interface AfterQueueChain {
  postfix: PostfixInstance;
  sink: CaptureSink;
  moat: MoatDaemon;
  stop(): Promise<void>;
}

/** `dir` must exist; it is made searchable for Postfix's mail_owner. `moatToml` holds [global] state_dir and whatever else the test needs. */
export async function startAfterQueueChain(dir: string, moatToml: string): Promise<AfterQueueChain> {
  await chmod(dir, 0o755); // Postfix's mail_owner must reach its data_directory below
  const sink = await startCaptureSink();
  const [smtpPort, reinjectPort, moatPort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const aq = afterQueueConfig(moatPort, reinjectPort);
  const postfix = await startPostfix({ dir: join(dir, 'postfix'), port: smtpPort, main: { ...aq.main, relayhost: `[127.0.0.1]:${sink.port}` }, masterExtra: aq.masterExtra });
  const moat = await startMoatDaemon({
    dir,
    waitPort: moatPort,
    toml: `
[local]
enabled = false
[smtp]
listen_port = ${moatPort}
next_hop = "127.0.0.1:${reinjectPort}"
[daemon]
metrics_listen = "127.0.0.1:${metricsPort}"
${moatToml}`,
  });
  return {
    postfix,
    sink,
    moat,
    async stop() {
      await moat.stop();
      await postfix.stop();
      await sink.close();
    },
  };
}
