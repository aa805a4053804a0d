// ESM + TypeScript through swc (type-checking is `npm run typecheck`, a separate step of `npm test`).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'es6' },
    }],
  },
  // Source imports carry `.js` (as XS and Node ESM need); jest resolves them to the `.ts` files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // The per-test budget. A test without its own timeout takes at most ~3 s on a quiet 2-core machine, 12 s with
  // other work loading it 5× over. A test that needs longer says so with its own timeout and why.
  testTimeout: 20_000,
  // Files slower than this (seconds) are flagged in the report. On 2 cores jest runs one worker: the suite's time
  // is the sum of its files'.
  slowTestThreshold: 10,
};
