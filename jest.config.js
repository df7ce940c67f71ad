// One jest run: unit tests (pure code, next to it) and integration tests (test/), against a real
// embedded Postgres started once in globalSetup; each file makes its own database and devnet.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/lib/', '/.data/', '/bench/'],
  cacheDirectory: '<rootDir>/.data/jest-cache',
  globalSetup: '<rootDir>/test/harness/globalSetup.mjs',
  globalTeardown: '<rootDir>/test/harness/globalTeardown.mjs',
  testTimeout: 60_000,
  maxWorkers: 2,
};
