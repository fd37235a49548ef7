import { validatingFetch } from '../support/openapi-validator.ts';

/**
 * Setup of every integration test file (vitest.config.ts): each answer from the API's documented
 * paths — through the harness, the typed driver or a raw `fetch` — is checked against `/openapi.json`
 * before the test reads it (tests/support/openapi-validator.ts, architecture.md §5).
 */
globalThis.fetch = validatingFetch(globalThis.fetch);
