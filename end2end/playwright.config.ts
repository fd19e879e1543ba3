import { defineConfig, devices } from "@playwright/test";

// Debian's Chromium; Playwright never downloads a browser here.
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const baseURL = process.env.BASE_URL ?? "http://127.0.0.1:3000";

/** Debian's Chromium as every project here launches it (the self-test uses it too). */
export const chromiumUse = {
  ...devices["Desktop Chrome"],
  launchOptions: {
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  },
};

/** How every suite here runs: one worker, in order, no retries, no `.only` on CI. */
export const runOneByOne = {
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: "list",
} as const;

// `make test-e2e` asks for a JSON report (E2E_RESULTS) and checks it: cargo-leptos
// 0.3.10 answers 0 when the site fails to build and no test has run at all.
const results = process.env.E2E_RESULTS;

export default defineConfig({
  ...runOneByOne,
  reporter: results ? [["list"], ["json", { outputFile: results }]] : "list",
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: { baseURL, trace: "retain-on-failure" },
  projects: [
    {
      name: "chromium",
      use: chromiumUse,
    },
  ],
});
