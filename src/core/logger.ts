import { pino, type DestinationStream } from 'pino';

/**
 * The logger every module receives. It is pino's API subset we use, so tests can pass
 * a silent or capturing logger. Never import a global logger: take one as a dependency.
 */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export function createLogger(options: { level: LogLevel; name?: string; destination?: DestinationStream }): Logger {
  return pino({ level: options.level, name: options.name ?? 'moat', base: undefined }, options.destination);
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
