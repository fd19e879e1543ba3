// The self-test of the page checks (tests/page-checks.ts): runs against static fixtures
// served by selftest/site.ts, not against the app, and proves that each check passes on a
// good page and fails on a bad one. `npm run selftest`; `npm test` runs it first.
import { defineConfig } from "@playwright/test";
import { chromiumUse, runOneByOne } from "../playwright.config";

// `make test-e2e` asks for a JSON report of the self-test too, to say how far a run got.
const results = process.env.E2E_SELFTEST_RESULTS;

export default defineConfig({
  ...runOneByOne,
  reporter: results ? [["list"], ["json", { outputFile: results }]] : "list",
  testDir: ".",
  outputDir: "../test-results/selftest",
  timeout: 30_000,
  expect: { timeout: 5_000 },
  projects: [{ name: "chromium", use: chromiumUse }],
});
