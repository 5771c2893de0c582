/** Transpile-only through swc: type checking is the separate `npm run typecheck` gate, so each test file costs ~1 s, not 15-70 s. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  moduleFileExtensions: ["ts", "js", "json"],
  testTimeout: 60000,
  reporters: ["default", "<rootDir>/tools/jest/summary-reporter.js"],
};
