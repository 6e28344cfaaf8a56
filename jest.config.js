/** @type {import('jest').Config} */
module.exports = {
  // Tests run on the TypeScript sources (swc strips the types; `tsc -p tsconfig.test.json` checks them).
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2022', transform: { decoratorVersion: '2022-03' } },
      module: { type: 'commonjs' },
    }],
  },
  moduleNameMapper: {
    '^@microwebsrv/(xasync|core|mods-websockets|mods-template|mods-sse|mods-files|bus-redis|mods-metrics)$': '<rootDir>/packages/$1/src/index.ts',
  },
  testEnvironment: 'node',
  testMatch: ['<rootDir>/packages/*/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts', '<rootDir>/bench/src/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 20000,
  reporters: ['default', '<rootDir>/scripts/summary-reporter.js'],
};
