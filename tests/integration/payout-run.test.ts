import { payoutRunSuite } from '../support/payout-run-suite.ts';

// A few hundred instructions with every kind of fault, seeded: the 10,000-instruction proof is
// `npm run test:soak` (tests/soak/payout-run.soak.test.ts). PAYOUT_TEST_INSTRUCTIONS sets another size.
payoutRunSuite(Number(process.env.PAYOUT_TEST_INSTRUCTIONS ?? 611), { seed: 11, timeoutMs: 300_000 });
