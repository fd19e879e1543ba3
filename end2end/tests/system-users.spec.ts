import { test, expect } from "@playwright/test";
import { chooseParty, checkPage, loginAs } from "./helpers";

test("an access manager sees the party's system users and how much they are used", async ({ page }) => {
  await loginAs(page, "Bjørn Hansen");
  await chooseParty(page, "Bakeri Hansen AS");

  await page.goto("/");
  await page.getByRole("link", { name: "Systembrukere og bruken av dem" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Systembrukere" })).toBeVisible();
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Regnskapsappen for Bakeri Hansen" }) });
  const cells = row.getByRole("cell");
  await expect(cells.nth(0)).toHaveText("Regnskapsappen");
  await expect(cells.nth(1)).toHaveText("Regnskapsappen AS");
  await expect(cells.nth(2)).toHaveText("Standard");
  // The demo system user has fetched no tokens yet.
  await expect(cells.nth(4)).toHaveText("0");
  await expect(cells.nth(5)).toHaveText("aldri");
  await checkPage(page);
});

test("someone who is not the party's access manager is told so", async ({ page }) => {
  // Ola acts for the bakery as its accountant, but manages no access there.
  await loginAs(page, "Ola Tallesen");
  await chooseParty(page, "Bakeri Hansen AS");
  await page.goto("/systembrukere");
  await expect(page.getByRole("alert")).toContainText("Du har ikke tilgang til dette på vegne av denne aktøren.");
  await expect(page.getByRole("table")).toHaveCount(0);
  await checkPage(page);
});
