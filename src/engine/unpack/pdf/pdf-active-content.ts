import { H } from '../../heuristics/heuristic-names.js';
import { parsePdfString } from './pdf-strings.js';

/** JavaScript in a string longer than this is cut (still far beyond any legitimate form script). */
const MAX_JS_BYTES = 4 * 1024 * 1024;

/** Active-content keys in (name-decoded) dictionary text → heuristic names. */
export function activeContent(dict: string): string[] {
  const found: string[] = [];
  if (/\/(JS|JavaScript)\b/u.test(dict)) found.push(H.pdfJavaScript);
  if (/\/(OpenAction|AA)\b/u.test(dict)) found.push(H.pdfOpenAction);
  if (/\/Launch\b/u.test(dict)) found.push(H.pdfLaunch);
  return found;
}

/** `/JS` string values (literal or hex), as bytes, so signatures see the script text. */
export function inlineJavaScript(dict: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of dict.matchAll(/\/JS(?![A-Za-z0-9])/gu)) {
    const s = parsePdfString(dict, m.index + m[0].length);
    if (s) out.push(s.bytes.subarray(0, MAX_JS_BYTES));
  }
  return out;
}
