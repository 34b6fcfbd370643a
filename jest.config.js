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
  // Two files at a time on two cores. Three ran the suite in 279–295 s (two: 313–333 s), but in
  // one of five runs with three the Redis fault test's worker, starved of CPU, did not finish
  // closing within its 25 s shutdown deadline after the Redis restart (exit 1): not yet explained,
  // so not made likelier.
  maxWorkers: 2,
  testSequencer: '<rootDir>/test/helpers/sequencer.mjs',
};
