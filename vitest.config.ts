import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.generated.ts', 'src/cli/main.ts', 'src/cli/launcher.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: {
        lines: 80,
        'src/migrator/**': { lines: 90 },
      },
    },
  },
})
