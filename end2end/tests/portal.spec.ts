import { test, expect } from "@playwright/test";
import { chooseParty, checkPage, hydrated, loginAs } from "./helpers";

test("the signed-out front page explains Fullmakt and passes axe", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Fullmakt" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "nb");
  await checkPage(page);
});

test("log in, choose a party, read the audit log, switch language, log out", async ({ page }) => {
  await loginAs(page, "Bjørn Hansen");
  await checkPage(page);

  await page.getByRole("link", { name: "Velg aktør" }).first().click();
  await expect(page.getByRole("heading", { name: "Velg aktør" })).toBeVisible();
  await hydrated(page);
  await checkPage(page);
  await page.getByRole("button", { name: "Velg Bakeri Hansen AS" }).click();
  await expect(page.getByTestId("acting-for")).toContainText("Bakeri Hansen AS");

  await page.goto("/logg");
  await expect(page.getByRole("heading", { name: "Hendelseslogg" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Valgte aktør" }).first()).toBeVisible();
  await checkPage(page);

  await page.getByRole("link", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await checkPage(page);
  await page.getByRole("link", { name: "Bokmål" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "nb");

  await page.getByRole("button", { name: "Logg ut" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Fullmakt" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
});

test("searching for a party filters the list", async ({ page }) => {
  await loginAs(page, "Per Revisorsen");
  await page.goto("/velg-aktor?q=kyst");
  await expect(page.getByRole("button", { name: "Velg Kystfisk AS" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Velg Revisjon Nord AS" })).toHaveCount(0);
});

test("a deep link to a party the person may not act for is refused clearly", async ({ page }) => {
  await loginAs(page, "Kari Nordmann");
  await page.goto("/?party=310400009");
  await expect(page).toHaveURL(/\/velg-aktor\?error=not_allowed/);
  await expect(page.getByRole("alert")).toContainText("Du har ikke tilgang");
  await checkPage(page);
});

test("an unknown page says so and passes axe", async ({ page }) => {
  const res = await page.goto("/finnes-ikke");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Siden finnes ikke" })).toBeVisible();
  await checkPage(page);
});

test("a failed login shows a readable reason", async ({ page }) => {
  await page.goto("/auth/callback?code=x&state=forged");
  await expect(page).toHaveURL(/innlogging-feilet\?reason=state/);
  await expect(page.getByTestId("login-error")).toContainText("kunne ikke bekreftes");
  await checkPage(page);
});

test("an access manager gives a package, sees why, and revokes it after confirming", async ({ page }) => {
  await loginAs(page, "Bjørn Hansen");
  await chooseParty(page, "Bakeri Hansen AS");

  await page.goto("/tilganger");
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Hvem har tilgang" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Bjørn Hansen" })).toBeVisible();
  await checkPage(page);

  await page.getByRole("checkbox", { name: "Merverdiavgift", exact: true }).check();
  await expect(page.getByRole("radio", { name: "En person" })).toBeChecked();
  await page.getByLabel("Fødselsnummer til mottakeren").fill("11839110083");
  await page.getByLabel("Etternavn til mottakeren").fill("Gjest");
  await page.getByRole("button", { name: "Gi tilgang" }).click();
  await expect(page.getByRole("status")).toContainText("Gitt til Gunn Gjest: Merverdiavgift.");
  await expect(page.getByRole("heading", { level: 2, name: "Gunn Gjest" })).toBeVisible();
  const gunn = page.getByRole("listitem").filter({ has: page.getByRole("heading", { level: 2, name: "Gunn Gjest" }) });
  await expect(gunn.getByText("gitt direkte av Bjørn Hansen")).toBeVisible();
  await checkPage(page);

  // A wrong surname is refused with a readable reason.
  await page.getByLabel("Fødselsnummer til mottakeren").fill("11839110083");
  await page.getByLabel("Etternavn til mottakeren").fill("Feil");
  await page.getByRole("button", { name: "Gi tilgang" }).click();
  await expect(page.getByRole("alert")).toContainText("Vi fant ingen person");

  await page.getByRole("link", { name: "Fjern Merverdiavgift – Gunn Gjest" }).click();
  await expect(page.getByText("Vil du fjerne denne tilgangen?")).toBeVisible();
  await checkPage(page);
  await hydrated(page);
  await page.getByRole("button", { name: "Ja, fjern tilgangen" }).click();
  await expect(page.getByRole("heading", { level: 2, name: "Gunn Gjest" })).toHaveCount(0);
});
