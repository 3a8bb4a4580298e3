/**
 * Architectural boundaries (DESIGN.md §4, docs/architecture.md "Allowed dependencies").
 * `npm run depcruise` checks src/; CI fails on any error.
 */
const TEST_FILES = '(\\.test\\.ts|(^|/|\\.)testing\\.ts)$'
/** Each module's event contract: the names of the events it publishes and their payload types. */
const EVENT_CONTRACTS = '^src/modules/[^/]+/[^/]+\\.events\\.ts$'
/** An owner's read-model entry: the tables (and rules in SQL) it lets the read models of ADR 0016 join. */
const READ_MODEL_ENTRIES = '^src/modules/[^/]+/read-model\\.ts$'
/**
 * The read models that join other modules' tables on purpose, each named with its joins and
 * reasons in docs/adr/0016-module-tables-and-read-models.md. Adding one here needs the ADR updated.
 */
const READ_MODELS = ['^src/modules/progress/progress\\.read-model\\.ts$']

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-deep-imports-across-modules',
      severity: 'error',
      comment:
        "A module's public API is its index.ts (and testing.ts for other modules' tests), plus its event contract " +
        '<module>.events.ts (names and payload types, importable where index.ts would make a cycle). Reaching ' +
        "into another module's files couples to its internals.",
      from: { path: '^src/modules/([^/]+)/' },
      to: {
        path: '^src/modules/[^/]+/',
        pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/(index|testing)\\.ts$', EVENT_CONTRACTS, READ_MODEL_ENTRIES],
      },
    },
    {
      name: 'event-contracts-are-dependency-free',
      severity: 'error',
      comment:
        "A module's <module>.events.ts is imported by modules that cannot import its index.ts (cycles): it holds " +
        'event names and payload types only, and imports nothing at run time.',
      from: { path: EVENT_CONTRACTS },
      to: { dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'tables-stay-in-their-module',
      severity: 'error',
      comment:
        "A module's Drizzle tables (*.tables.ts) are its own: other modules ask its index.ts for what they need. " +
        'Foreign keys to tenants go through tenancy/index.ts (the one table an index exports); the read models ' +
        "of ADR 0016 join through the owner's read-model.ts; tests set up rows through the owner's testing.ts.",
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/.*tables\\.ts$', pathNot: ['^src/modules/$1/'] },
    },
    {
      name: 'no-tables-through-index',
      severity: 'error',
      comment:
        "A module's index.ts exports no table (types of rows aside), so no other module can query one. The " +
        'exception is tenancy/index.ts: every tenant-owned table references tenants.id by foreign key.',
      from: { path: '^src/modules/[^/]+/index\\.ts$', pathNot: '^src/modules/tenancy/index\\.ts$' },
      to: { path: '\\.tables\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'read-model-entries',
      severity: 'error',
      comment:
        "An owner's read-model.ts lets the read models named in ADR 0016 (READ_MODELS) join its tables on purpose; " +
        'nothing else may import it. A new cross-module join needs the ADR and this list updated.',
      from: { path: '^src/modules/([^/]+)/', pathNot: READ_MODELS },
      to: { path: READ_MODEL_ENTRIES, pathNot: ['^src/modules/$1/'] },
    },
    {
      name: 'read-model-entries-not-outside-modules',
      severity: 'error',
      comment:
        "A module's read-model.ts is for the read models of other modules (ADR 0016), not for app.ts or the seed.",
      from: { path: '^src/', pathNot: '^src/modules/' },
      to: { path: READ_MODEL_ENTRIES },
    },
    {
      name: 'seed-through-its-index',
      severity: 'error',
      comment:
        'The demo seed is used through src/seed/index.ts only (main.ts: seedDemo and what it prints); its files are ' +
        'its own.',
      from: { path: '^src/', pathNot: '^src/seed/' },
      to: { path: '^src/seed/', pathNot: '^src/seed/index\\.ts$' },
    },
    {
      name: 'seed-uses-module-apis',
      severity: 'error',
      comment:
        "The seed makes its data through the public HTTP API and, where it must, the modules' index.ts; never " +
        "through a module's internals or tables.",
      from: { path: '^src/seed/', pathNot: TEST_FILES },
      to: { path: '^src/modules/', pathNot: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'platform-not-to-modules',
      severity: 'error',
      comment: 'src/platform holds technical capabilities with no business rules; it never depends on a module.',
      from: { path: '^src/platform/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'not-to-composition-root',
      severity: 'error',
      comment: 'Only main.ts (and tests) may use app.ts; modules and platform receive what they need as arguments.',
      from: { path: '^src/(platform|modules)/' },
      to: { path: '^src/(app|main)\\.ts$' },
    },
    {
      name: 'no-test-harness-in-shipped-code',
      severity: 'error',
      comment: 'The test harness (test/) and test factories (testing.ts) are for tests only.',
      from: { path: '^src/', pathNot: TEST_FILES },
      to: { path: ['^test/', TEST_FILES] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Cycles make initialisation order fragile and modules inseparable. Type-only cycles are harmless and allowed.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a typo or a missing package.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-undeclared-packages',
      severity: 'error',
      comment: "Packages must be declared in package.json, not borrowed from another package's dependencies.",
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment: 'Shipped code cannot rely on devDependencies: `npm ci --omit=dev` would break it.',
      from: { path: '^src/', pathNot: TEST_FILES },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: ['node_modules/@types/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
}
