import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { normaliseHtml } from './html-normaliser.js';

const str = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array(0)).toString('latin1');

test('nocomment and notags forms as clamscan writes them for a simple page', () => {
  const page = '<html><body>\n<P>Hello   WORLD  Foo</P>\n<!-- secret COMMENT -->\n<script>var X = "Bar";</script>\n</body></html>\n';
  const { nocomment, notags } = normaliseHtml(Buffer.from(page, 'latin1'));
  // Both strings were taken from `clamscan --leave-temps` output for this page.
  assert.equal(str(nocomment), '<html><body><p>hello world foo</p><script>varx="bar";</script></body></html>');
  assert.equal(str(notags), ' hello world foo ');
});

test('never throws and never grows the text', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => {
      const { nocomment, notags } = normaliseHtml(b);
      assert.ok(nocomment.length <= b.length);
      assert.ok((notags?.length ?? 0) <= b.length + 2);
    }),
    { numRuns: 500, seed: 9 },
  );
});
