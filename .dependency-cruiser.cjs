/**
 * One-way dependency rules of DESIGN.md §3, checked by `npm run lint`:
 * core ← mail ← engine, antispam ← policy ← pipeline ← agents, web, storage ← cli, daemon.
 */
const allow = (from, to) => ({
  name: `${from}-imports`,
  comment: `src/${from} may import only: ${to.join(', ')}`,
  severity: 'error',
  // Layer rules bind production code; tests may compose real parts from any layer.
  from: { path: `^src/${from}/`, pathNot: '\\.test\\.ts$' },
  to: { path: '^src/', pathNot: [`^src/${from}/`, ...to.map((t) => (t.endsWith('.ts') ? `^src/${t}$` : `^src/${t}/`))] },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    allow('core', []),
    allow('mail', ['core']),
    allow('engine', ['core', 'mail']),
    allow('antispam', ['core', 'mail']),
    allow('policy', ['core', 'mail', 'engine/filetype', 'antispam/types.ts']),
    allow('pipeline', ['core', 'mail', 'engine', 'antispam', 'policy']),
    allow('storage', ['core', 'mail', 'pipeline', 'policy', 'antispam']),
    allow('agents', ['core', 'mail', 'pipeline', 'policy']),
    allow('web', ['core', 'mail', 'pipeline', 'policy', 'storage']),
    allow('update', ['core', 'engine']),
    allow('setup', ['core']),
    {
      name: 'agents-never-import-each-other',
      severity: 'error',
      from: { path: '^src/agents/([^/]+)/' },
      to: { path: '^src/agents/', pathNot: ['^src/agents/$1/', '^src/agents/common/'] },
    },
    {
      name: 'nothing-imports-composition-roots',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli/', '^src/daemon/'] },
      to: { path: '^src/(cli|daemon)/' },
    },
    {
      name: 'daemon-does-not-import-cli',
      severity: 'error',
      from: { path: '^src/daemon/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
