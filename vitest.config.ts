import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests are type-checked by `npm run typecheck` (tsc over test/) before vitest runs them.
    typecheck: { enabled: false },
    testTimeout: 60_000,
  },
});
