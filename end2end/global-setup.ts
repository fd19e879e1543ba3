import { spawn, spawnSync, ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, openSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { maildir, SMTP_PORT } from "./tests/mail";
import { CLOCK_BASE, CLOCK_DB, CLOCK_PORT } from "./tests/clock";

// cargo-leptos starts the server and runs the tests at once; wait until it is ready.
// The server sends its e-mail (FULLMAKT_SMTP_URL, set by `make test-e2e`) to a real
// SMTP server on loopback, Python's aiosmtpd, started here for the whole run and
// keeping what it receives as a Maildir the tests read (tests/mail.ts).
//
// It also starts a second server, on a database of its own, whose clock the tests may
// move forward (tests/clock.ts): the same binary cargo-leptos built and serves.
export default async function globalSetup() {
  const smtp = startSmtp();
  const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  let clock: ChildProcess | undefined;
  const stop = async () => {
    clock?.kill();
    smtp?.kill();
  };
  try {
    await waitReady(base);
    clock = startClockServer();
    await waitReady(CLOCK_BASE);
  } catch (e) {
    await stop();
    throw e;
  }
  return stop;
}

async function waitReady(base: string) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/health/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server at ${base} did not become ready`);
}

/**
 * The clock server: `target/release/server` (or E2E_SERVER_BIN, which `make test-e2e` sets
 * when CARGO_TARGET_DIR moves the build) on port 3001, with a fresh database, the demo
 * data, the test provider, the test clock, and the same SMTP server. Its log goes to
 * target/e2e-clock-server.log.
 */
function startClockServer(): ChildProcess {
  const root = resolve(__dirname, "..");
  const bin = process.env.E2E_SERVER_BIN ?? resolve(root, "target/release/server");
  if (!existsSync(bin)) throw new Error(`no server binary at ${bin}: build the site first (cargo leptos build --release)`);
  const pg = process.env.E2E_PG ?? "postgres://postgres@127.0.0.1:5432";
  const drop = spawnSync("psql", [`${pg}/postgres`, "-qc", `drop database if exists ${CLOCK_DB} with (force)`], { encoding: "utf8" });
  if (drop.status !== 0) throw new Error(`could not drop ${CLOCK_DB}: ${drop.stderr || drop.error}`);
  mkdirSync(resolve(root, "target"), { recursive: true });
  const log = openSync(resolve(root, "target/e2e-clock-server.log"), "w");
  const addr = `127.0.0.1:${CLOCK_PORT}`;
  const child = spawn(bin, [], {
    cwd: root,
    stdio: ["ignore", log, log],
    env: {
      ...process.env,
      DATABASE_URL: `${pg}/${CLOCK_DB}`,
      FULLMAKT_ADDR: addr,
      FULLMAKT_PUBLIC_URL: `http://${addr}`,
      FULLMAKT_OIDC_ISSUER: `http://${addr}/idp`,
      FULLMAKT_TEST_IDP: "true",
      FULLMAKT_TEST_CLOCK: "true",
      FULLMAKT_DEMO_DATA: "true",
      FULLMAKT_PDP_API_KEYS: "e2e-pdp-key-0123456789",
      FULLMAKT_SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`,
      LEPTOS_OUTPUT_NAME: "portal",
      LEPTOS_SITE_ROOT: resolve(root, process.env.LEPTOS_SITE_ROOT ?? "target/site"),
      LEPTOS_SITE_PKG_DIR: "pkg",
      LEPTOS_SITE_ADDR: addr,
    },
  });
  child.on("error", (e) => console.error(`the clock server did not start: ${e}`));
  return child;
}

function startSmtp(): ChildProcess | undefined {
  const dir = maildir();
  // aiosmtpd makes the Maildir's folders only when the Maildir is not there yet.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  const child = spawn(
    "python3",
    ["-m", "aiosmtpd", "-n", "-l", `127.0.0.1:${SMTP_PORT}`, "-c", "aiosmtpd.handlers.Mailbox", dir],
    { stdio: "inherit" },
  );
  child.on("error", (e) => console.error(`aiosmtpd did not start: ${e}`));
  return child;
}
