/** How far ahead of its arrival a message's Date may be before it reads as forged. */
const FUTURE_SLACK_MS = 12 * 3600 * 1000;

/** A zone at the end of a date: numeric, or one of RFC 5322's names (the obsolete military letters are not trusted). */
const ZONE = /(?:[+-]\d{4}|\b(?:UT|GMT|Z|[ECMP][SD]T))$/i;

/**
 * An RFC 5322 date in ms; undefined when unreadable, without a zone (JavaScript would read it in
 * this host's zone, so the answer would depend on where Moat runs), or with a year before 1000
 * (a three-digit year is 1900 + it in RFC 5322, and JavaScript reads it as it is).
 */
export function mailDate(text: string): number | undefined {
  const date = text.replace(/\([^)]*\)/g, ' ').trim();
  if (!ZONE.test(date)) return undefined;
  const t = Date.parse(date);
  return Number.isNaN(t) || new Date(t).getUTCFullYear() < 1000 ? undefined : t;
}

/** The date a Received field ends with (after its last `;`), in ms; undefined when unreadable. */
export function receivedDate(received: string): number | undefined {
  const semi = received.lastIndexOf(';');
  return semi < 0 ? undefined : mailDate(received.slice(semi + 1));
}

/**
 * True when the Date header lies more than 12 hours after the message arrived: after the date of
 * the topmost Received field (the MTA that handed it to Moat), or after `now` when there is no
 * readable one. Bulk tools forge Date ahead so the mail sorts at the top of a mailbox; a wrong
 * clock that far ahead is rare.
 */
export function dateInFuture(date: string | undefined, received: readonly string[], now: number): boolean {
  if (date === undefined) return false;
  const sent = mailDate(date);
  if (sent === undefined) return false;
  const arrived = received.length ? (receivedDate(received[0]!) ?? now) : now;
  return sent - arrived > FUTURE_SLACK_MS;
}
