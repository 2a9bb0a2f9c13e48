/** Jest projects split by kind; `npm test` runs them all. */
// tsconfig sets isolatedModules, so ts-jest transpiles file by file (fast); `npm run typecheck` does the type checking.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
const base = { testEnvironment: '<rootDir>/test/helpers/node-environment.js', transform: { '^.+\\.ts$': tsJest } };
module.exports = {
  projects: [
    { ...base, displayName: 'engine', testMatch: ['<rootDir>/engine/test/**/*.test.ts'] },
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...base, displayName: 'statemachine', testMatch: ['<rootDir>/test/statemachine/**/*.test.ts'] },
    { ...base, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
