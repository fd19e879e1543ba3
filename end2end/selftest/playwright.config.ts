// The self-test of the page checks (tests/page-checks.ts): runs against static fixtures
// served by selftest/site.ts, not against the app, and proves that each check passes on a
// good page and fails on a bad one. `npm run selftest`; `npm test` runs it first.
import { defineConfig } from "@playwright/test";
import { chromiumUse, runOneByOne } from "../playwright.config";

export default defineConfig({
  ...runOneByOne,
  testDir: ".",
  outputDir: "../test-results/selftest",
  timeout: 30_000,
  expect: { timeout: 5_000 },
  projects: [{ name: "chromium", use: chromiumUse }],
});
