import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { fastFeedDataStream, type DataStreamInternals } from './fast-data-feed.js';

/** The parts of smtp-server's connection object this file relies on (internal API of smtp-server 3.x). */
interface ConnectionInternals {
  on(event: string, listener: (arg: unknown) => void): void;
  send(code: number, text: string, context: false): void;
  _setListeners(callback: () => void): void;
  connectionReady(): void;
  _parser: DataStreamInternals;
  _createParser(): DataStreamInternals;
}

interface ServerInternals {
  connections: Set<unknown>;
  options: SMTPServerOptions;
  _onError(err: unknown): void;
  _onClientConnect(data: unknown): void;
}

/**
 * smtp-server holds every new connection 100 ms before the greeting to catch "early talkers"
 * (spam bots). Moat's peers are the local MTA and known clients, so that pause is pure latency
 * (it capped a content filter at ~10 connections/s per session). This subclass greets at once
 * and finds the end of DATA with indexOf; everything else is smtp-server's own code path.
 */
export class PromptSmtpServer extends SMTPServer {
  override connect(socket: Socket, socketOptions: unknown): void {
    const self = this as unknown as ServerInternals;
    const Connection = SMTPConnection as unknown as new (server: unknown, socket: Socket, options: unknown) => ConnectionInternals;
    const connection = new Connection(this, socket, socketOptions);
    // DATA is scanned for its end with indexOf instead of a per-byte loop (fast-data-feed.ts);
    // STARTTLS creates a new parser, which gets the same.
    const createParser = connection._createParser.bind(connection);
    connection._createParser = () => Object.assign(createParser(), { _feedDataStream: fastFeedDataStream });
    connection._parser._feedDataStream = fastFeedDataStream;
    self.connections.add(connection);
    connection.on('error', (err) => self._onError(err));
    connection.on('connect', (data) => self._onClientConnect(data));
    connection._setListeners(() => {
      const max = self.options.maxClients;
      if (max && self.connections.size > max) return connection.send(421, `${self.options.name ?? 'localhost'} Too many connected clients, try again in a moment`, false);
      connection.connectionReady();
    });
  }
}
