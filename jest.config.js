// Jest runs TypeScript as native ES modules, transformed by SWC (TypeScript 7 has no JS API).
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
        module: { type: 'es6' },
      },
    ],
    // content-disposition 3 (required by @fastify/static, which Bull Board's Fastify adapter loads)
    // is an ES module; Jest's CommonJS runtime cannot require one before Node 24.9.
    '/node_modules/content-disposition/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  setupFiles: ['<rootDir>/test/helpers/env.ts'],
  globalSetup: '<rootDir>/test/helpers/global-setup.mjs',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.mjs',
  testTimeout: 60_000,
  // Three files at a time on two cores: much of a test file's time is spent waiting (for a child
  // process to start, a job to stall, PostgreSQL to restart), and a third file fills that time.
  // Measured on full runs: 295 s with three, about 350 s with two.
  maxWorkers: 3,
  testSequencer: '<rootDir>/test/helpers/sequencer.mjs',
};
