import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-env.ts'],
    pool: 'forks',
    // Files run one after another in each worker process, which keeps the modules it loaded: the
    // app's module graph is imported and JIT-warmed once per worker, not once per file (that cost
    // ~4 s of a core per file, about half the suite's time). Files still share no state they
    // assert on: setupFiles run again before every file (its own database copy and Redis prefix),
    // every file builds its own apps, and process-wide registries hold no entries (docs/testing.md).
    isolate: false,
    // Two cores: more workers only contend for the CPU PGlite needs.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
})
