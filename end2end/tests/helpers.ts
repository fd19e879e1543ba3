import { expect, Page } from "@playwright/test";
import { checkPage } from "./page-checks";

/**
 * `checkPage(page, options?)`: call it on every page a test visits. It fails the test on any
 * axe violation, any difference of the page without JavaScript, any form control without a
 * 3:1 boundary, and any html-validate error in the served HTML, and saves full-page
 * screenshots at 1280 and 375 px. See page-checks.ts.
 */
export { checkPage, expectNoAxeViolations, type CheckPageOptions } from "./page-checks";

/** Waits until the WASM has hydrated the page, so clicks are not lost. */
export async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** Logs in through the built-in test provider as the demo person with this name. */
export async function loginAs(page: Page, name: string) {
  await page.goto("/");
  await hydrated(page);
  await checkPage(page);
  await page.getByRole("link", { name: "Logg inn" }).first().click();
  await expect(page.getByRole("heading", { name: "Testinnlogging" })).toBeVisible();
  await checkPage(page);
  await page.getByLabel(name).check();
  await page.getByRole("button", { name: "Logg inn" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(name);
}

/** Chooses the party to act for on the party chooser, and waits until the header names it. */
export async function chooseParty(page: Page, party: string) {
  await page.goto("/velg-aktor");
  await hydrated(page);
  await checkPage(page);
  await page.getByRole("button", { name: `Velg ${party}` }).click();
  await expect(page.getByTestId("acting-for")).toContainText(party);
}
