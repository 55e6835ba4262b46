import { execFile } from 'node:child_process';

/** Runs swaks with ARGS; resolves with its exit code and the whole transcript. */
export function swaks(args: string[], input?: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile('swaks', ['--hide-informational', ...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, output: stdout + stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** The server's final reply to end-of-DATA in a swaks transcript (`<-  250 2.0.0 Ok`). */
export function dataReply(transcript: string): string {
  const lines = transcript.split('\n');
  const dot = lines.findLastIndex((l) => /^ -> \.$/.test(l.trimEnd()));
  const after = lines.slice(dot + 1).find((l) => /^(<-|<\*\*)\s+\d{3}/.test(l));
  return after ? after.replace(/^(<-|<\*\*)\s+/, '') : '';
}
