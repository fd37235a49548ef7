import { payoutRunSuite } from '../support/payout-run-suite.ts';

// The full 10,000-instruction proof (9,989 worker payments and 11 city → unit transfers): claims,
// ledger writes and settlements go in chunked transactions, so DynamoDB Local on a 2-core machine
// pays it in ~55–70 s (the file ~85–115 s). Not part of `npm test`: `npm run test:soak`.
payoutRunSuite(10_000, { seed: 10_000, timeoutMs: 900_000 });
