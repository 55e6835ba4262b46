import { SMTPServer } from 'smtp-server';

/** One message as the final destination received it. */
export interface CapturedMessage {
  from: string;
  to: string[];
  /** Exactly the bytes after un-dot-stuffing (CRLF line ends as sent). */
  data: Buffer;
  xforward: Record<string, string>;
}

export interface CaptureSink {
  port: number;
  messages: CapturedMessage[];
  /** Messages whose text matches. */
  matching(pattern: RegExp): CapturedMessage[];
  close(): Promise<void>;
}

/**
 * The final destination in end-to-end tests: a loopback SMTP server (nodemailer's smtp-server,
 * no Moat code) that keeps every message with its envelope. Postfix relays to it.
 */
export async function startCaptureSink(options: { port?: number } = {}): Promise<CaptureSink> {
  const messages: CapturedMessage[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    useXForward: true,
    logger: false,
    size: 200 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const xforward: Record<string, string> = {};
        for (const [k, v] of session.xForward) xforward[k] = String(v);
        messages.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks), xforward });
        callback(null, 'Ok: captured');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    messages,
    matching: (pattern) => messages.filter((m) => pattern.test(m.data.toString('latin1'))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
