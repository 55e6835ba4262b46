import type { ScanNode, ScanReport } from '../core/verdict.js';
import { NOT_SCANNED_STATES } from '../core/verdict.js';
import { editParts, type PartEdit } from '../mail/rewrite/replace-parts.js';
import type { MessageCleaner } from './create-pipeline.js';

function subtree(node: ScanNode, pred: (n: ScanNode) => boolean): boolean {
  return pred(node) || node.children.some((c) => subtree(c, pred));
}

const infected = (n: ScanNode) => n.state === 'infected' || n.detections.some((d) => d.kind === 'signature');

/**
 * Cleaning by MIME part (docs/policy.md): standard replaces infected parts by a notice, strict also
 * parts that could not be scanned, rigorous every attachment once anything is infected, delete
 * removes infected parts silently. Returns undefined when an infection is not inside a
 * replaceable part (the message itself, or only visible in an alternative MIME reading).
 */
export const cleanByMimePart: MessageCleaner = (message, report: ScanReport, mode) => {
  if (mode === 'none') return undefined;
  const parts = report.root.children.filter((c) => c.mimePath !== undefined && c.name !== '(container)');
  const orphanInfection = report.root.children.some((c) => c.mimePath === undefined && subtree(c, infected)) || infected(report.root);
  if (orphanInfection) return undefined;
  const notice = (n: ScanNode, why: string) => `This part (${n.name ?? 'unnamed'}) was removed by Moat: ${why}.\n`;
  const edits: PartEdit[] = [];
  for (const p of parts) {
    const bad = subtree(p, infected);
    const names = [...new Set(collectNames(p))].join(', ');
    if (bad) edits.push(mode === 'delete' ? { path: p.mimePath!, remove: true } : { path: p.mimePath!, notice: notice(p, `infected with ${names}`) });
    else if (mode === 'strict' && subtree(p, (n) => NOT_SCANNED_STATES.has(n.state))) edits.push({ path: p.mimePath!, notice: notice(p, 'it could not be scanned') });
    else if (mode === 'rigorous' && p.name && !p.name.startsWith('part ')) edits.push({ path: p.mimePath!, notice: notice(p, 'attachments are removed from infected mail') });
  }
  if (edits.length === 0) return undefined;
  return editParts(message, edits);
};

function collectNames(n: ScanNode): string[] {
  return [...n.detections.filter((d) => d.kind === 'signature').map((d) => d.name), ...n.children.flatMap(collectNames)];
}
