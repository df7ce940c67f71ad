// One jest run: unit tests (pure code, next to it) and integration tests (test/), against a real
// embedded Postgres started once in globalSetup; each file makes its own database and devnet.
// ts-jest in transpile-only mode: tsc's own emit, which keeps decorator metadata safe across the
// generated models' circular imports (swc's emit throws a TDZ error on them).
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/lib/', '/.data/', '/bench/'],
  cacheDirectory: '<rootDir>/.data/jest-cache',
  globalSetup: '<rootDir>/test/harness/globalSetup.mjs',
  globalTeardown: '<rootDir>/test/harness/globalTeardown.mjs',
  testTimeout: 60_000,
  maxWorkers: 2,
};
