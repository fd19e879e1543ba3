import { APIRequestContext, expect } from "@playwright/test";

/**
 * The run's second server, whose clock the tests may move forward (FULLMAKT_TEST_CLOCK),
 * with a database of its own: global-setup.ts starts it. Tests of rules that take days
 * (a guest's notices, deactivation, deletion) run there, so that moving time never
 * touches the shared server the other suites use.
 */
export const CLOCK_PORT = 3001;
export const CLOCK_BASE = `http://127.0.0.1:${CLOCK_PORT}`;
export const CLOCK_DB = "fullmakt_e2e_clock";

/** What one move did: the server's new time and the guest lifecycle job's work at it. */
export interface Moved {
  now: string;
  offset_days: number;
  invited: number;
  notices: number;
  deactivated: number;
  deleted: number;
}

/** Moves the clock server's clock `days` ahead; the guest lifecycle job runs at once. */
export async function moveClock(request: APIRequestContext, days: number): Promise<Moved> {
  const res = await request.post(`${CLOCK_BASE}/test/clock`, { data: { days } });
  expect(res.status(), await res.text()).toBe(200);
  return res.json();
}

/** The date in Oslo (as the server counts days) `days` after `from`, as an <input type=date> value. */
export function osloDay(days: number, from = Date.now()): string {
  return new Date(from + days * 86_400_000).toLocaleDateString("sv-SE", { timeZone: "Europe/Oslo" });
}
