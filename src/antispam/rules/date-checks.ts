/** How far ahead of its arrival a message's Date may be before it reads as forged. */
const FUTURE_SLACK_MS = 12 * 3600 * 1000;

/** The date a Received field ends with (after its last `;`), in ms; undefined when unreadable. */
export function receivedDate(received: string): number | undefined {
  const semi = received.lastIndexOf(';');
  if (semi < 0) return undefined;
  const t = Date.parse(received.slice(semi + 1).replace(/\([^)]*\)/g, ' ').trim());
  return Number.isNaN(t) ? undefined : t;
}

/**
 * True when the Date header lies more than 12 hours after the message arrived: after the date of
 * the topmost Received field (the MTA that handed it to Moat), or after `now` when there is no
 * readable one. Bulk tools forge Date ahead so the mail sorts at the top of a mailbox; a wrong
 * clock that far ahead is rare.
 */
export function dateInFuture(date: string | undefined, received: readonly string[], now: number): boolean {
  if (date === undefined) return false;
  const sent = Date.parse(date.replace(/\([^)]*\)/g, ' ').trim());
  if (Number.isNaN(sent)) return false;
  const arrived = received.length ? (receivedDate(received[0]!) ?? now) : now;
  return sent - arrived > FUTURE_SLACK_MS;
}
