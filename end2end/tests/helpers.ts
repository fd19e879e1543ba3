import { expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/** Fails the test when axe-core finds any accessibility violation on the page. */
export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(summary, "axe violations").toEqual([]);
}

/** Waits until the WASM has hydrated the page, so clicks are not lost. */
export async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** Logs in through the built-in test provider as the demo person with this name. */
export async function loginAs(page: Page, name: string) {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "Logg inn" }).first().click();
  await expect(page.getByRole("heading", { name: "Testinnlogging" })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByLabel(name).check();
  await page.getByRole("button", { name: "Logg inn" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(name);
}

/** Chooses the party to act for on the party chooser, and waits until the header names it. */
export async function chooseParty(page: Page, party: string) {
  await page.goto("/velg-aktor");
  await hydrated(page);
  await page.getByRole("button", { name: `Velg ${party}` }).click();
  await expect(page.getByTestId("acting-for")).toContainText(party);
}
