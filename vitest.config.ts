import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          // One DynamoDB Local and one S3 emulator for the whole run; each test file gets its own table.
          globalSetup: ['tests/integration/global-setup.ts'],
          // Every answer from the API is checked against /openapi.json (tests/support/openapi-validator.ts).
          setupFiles: ['tests/integration/validate-responses.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          env: { LOG_LEVEL: 'silent' },
        },
      },
      {
        test: {
          // Long runs at full size, outside `npm test`: `npm run test:soak`.
          name: 'soak',
          include: ['tests/soak/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/integration/global-setup.ts'],
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 900_000,
          env: { LOG_LEVEL: 'silent' },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          // The consoles in a real Chromium, against the local stack on the shared DynamoDB Local.
          globalSetup: ['tests/integration/global-setup.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          env: { LOG_LEVEL: 'silent' },
        },
      },
      {
        test: {
          name: 'infra',
          include: ['tests/infra/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
        },
      },
    ],
  },
});
