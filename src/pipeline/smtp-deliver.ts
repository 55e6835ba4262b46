import nodemailer from 'nodemailer';
import { MoatError } from '../core/errors.js';
import type { Deliver } from './quarantine-service.js';

/** Quarantine release over SMTP with the original envelope (nodemailer), e.g. to Postfix's re-injection listener. */
export function smtpDeliver(host: string, port: number): Deliver {
  return async (envelope, message) => {
    const transport = nodemailer.createTransport({ host, port, secure: false, ignoreTLS: true, name: 'moat-quarantine' });
    try {
      await transport.sendMail({ envelope: { from: envelope.mailFrom, to: envelope.rcptTo }, raw: message });
    } catch (err) {
      const e = err as { responseCode?: number; message: string };
      throw new MoatError(e.responseCode && e.responseCode >= 500 ? 'NEXT_HOP_REFUSED' : 'NEXT_HOP_TEMPFAIL', `${host}:${port}: ${e.message}`);
    } finally {
      transport.close();
    }
  };
}
