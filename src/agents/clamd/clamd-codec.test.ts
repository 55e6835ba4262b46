import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { COMMAND_TABLE, chomp, ctimeString, databaseNumber, formatReply, parseCommandLine } from './clamd-codec.js';

describe('clamd codec', () => {
  it('every table command round-trips with its argument in z/n framing; old style only where clamd allows (property)', () => {
    const arg = fc.string({ minLength: 1, maxLength: 60 }).filter((s) => !/[\0\n\r]/.test(s));
    fc.assert(
      fc.property(fc.constantFrom(...COMMAND_TABLE), arg, fc.constantFrom('z' as const, 'n' as const, 'old' as const), (spec, a, framing) => {
        const line = spec.hasArg ? `${spec.name} ${a}` : spec.name;
        const parsed = parseCommandLine(line, framing);
        if (framing === 'old' && !spec.oldStyle) return assert.equal(parsed.kind, 'unknown');
        assert.deepEqual(parsed, spec.hasArg ? { kind: 'command', name: spec.name, arg: a, framing } : { kind: 'command', name: spec.name, framing });
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary input never throws and never yields an argument-less command with trailing bytes (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.constantFrom('z' as const, 'n' as const, 'old' as const), (s, framing) => {
        const parsed = parseCommandLine(s, framing);
        if (parsed.kind === 'command') {
          const spec = COMMAND_TABLE.find((c) => c.name === parsed.name)!;
          if (!spec.hasArg) assert.equal(s, spec.name);
          else assert.equal(s, `${spec.name} ${parsed.arg}`);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('VERSIONCOMMANDS is not read as VERSION; chomp strips CR/LF; replies carry id and terminator', () => {
    assert.deepEqual(parseCommandLine('VERSIONCOMMANDS', 'n'), { kind: 'command', name: 'VERSIONCOMMANDS', framing: 'n' });
    assert.equal(chomp('PING\r\n'), 'PING');
    assert.equal(formatReply('PONG', 'z', 3), '3: PONG\0');
    assert.equal(formatReply('PONG', 'old'), 'PONG\n');
    assert.equal(ctimeString(new Date(Date.UTC(2026, 0, 5, 1, 2, 3))), 'Mon Jan  5 01:02:03 2026');
    assert.equal(databaseNumber('main:62,daily:27500,moat-builtin:1'), 27500);
    assert.equal(databaseNumber('moat-builtin:1'), 1);
  });
});
