import { defineConfig } from 'vitest/config';

/**
 * The vitest config StrykerJS runs (`npm run test:mutation`, docs/testing.md): the unit and property
 * tests alone. The root vitest.config.ts has projects whose global setup starts DynamoDB Local and
 * the S3 emulator; the mutation run must never start them, so it reads this file instead, which has
 * no projects and the same include as the root config's `unit` project.
 */
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
});
