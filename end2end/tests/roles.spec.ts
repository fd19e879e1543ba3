import { test, expect, Page } from "@playwright/test";
import { chooseParty, checkPage, hydrated, loginAs } from "./helpers";

async function createRole(page: Page, code: string, packages: string) {
  await page.getByLabel("Kode", { exact: true }).fill(code);
  await page.getByLabel("Navn (bokmål)").fill(code);
  await page.getByLabel("Tilgangspakker").fill(packages);
  await page.getByRole("button", { name: "Opprett rollen" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Rollen er opprettet" })).toBeVisible();
  await expect(page.getByRole("cell", { name: code }).first()).toBeVisible();
}

async function assign(page: Page, role: string) {
  await page.getByLabel("Rollekode").fill(role);
  await page.getByLabel("Fødselsnummer til personen").fill("11839110083");
  await page.getByLabel("Etternavn til personen").fill("Gjest");
  await page.getByLabel("Hva dokumenterer rolletildelingen").selectOption("power_of_attorney");
  await page.getByLabel("Utstedt av", { exact: true }).fill("Bjørn Hansen");
  await page.getByLabel("Referanse").fill("fullmakt 2026-11");
  await page.getByRole("button", { name: "Tildel rollen" }).click();
}

test("roles: create two, keep them apart, assign one, refuse the other, end the first", async ({ page }) => {
  await loginAs(page, "Bjørn Hansen");
  await chooseParty(page, "Bakeri Hansen AS");

  await page.goto("/");
  await page.getByRole("link", { name: "Brukerroller og arbeidsdeling" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Brukerroller" })).toBeVisible();
  await hydrated(page);
  await checkPage(page);

  await createRole(page, "e2e-betaler", "merverdiavgift");
  await createRole(page, "e2e-attestant", "skatt-naering");
  await page.getByLabel("Første rolle").fill("e2e-betaler");
  await page.getByLabel("Andre rolle").fill("e2e-attestant");
  await page.getByRole("button", { name: "Legg til regelen" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Regelen om arbeidsdeling er lagt til" })).toBeVisible();
  await checkPage(page);

  await assign(page, "e2e-betaler");
  await expect(page.getByRole("status").filter({ hasText: "Rollen er tildelt" })).toBeVisible();
  await expect(page.getByText("Fullmakt: Bjørn Hansen fullmakt 2026-11")).toBeVisible();

  await assign(page, "e2e-attestant");
  await expect(page.getByRole("alert")).toContainText("Arbeidsdeling: rollene e2e-betaler og e2e-attestant");
  await checkPage(page);

  await page.getByRole("button", { name: "Avslutt e2e-betaler – Gunn Gjest" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Rolletildelingen er avsluttet" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Avslutt e2e-betaler – Gunn Gjest" })).toHaveCount(0);
});
