/**
 * Architectural boundaries (DESIGN.md §4, docs/architecture.md "Allowed dependencies").
 * `npm run depcruise` checks src/; CI fails on any error.
 */
const TEST_FILES = '(\\.test\\.ts|(^|/|\\.)testing\\.ts)$'
/** Each module's event contract: the names of the events it publishes and their payload types. */
const EVENT_CONTRACTS = '^src/modules/[^/]+/[^/]+\\.events\\.ts$'

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
        pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/(index|testing)\\.ts$', EVENT_CONTRACTS],
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
