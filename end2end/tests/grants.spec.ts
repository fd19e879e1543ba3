import { test, expect, Page } from "@playwright/test";
import { chooseParty, checkPage, hydrated, loginAs } from "./helpers";

async function actForBakery(page: Page) {
  await loginAs(page, "Bjørn Hansen");
  await chooseParty(page, "Bakeri Hansen AS");
}

test("an access manager finds a package by search, gives it to an organisation, and revokes it", async ({ page }) => {
  await actForBakery(page);
  await page.goto("/tilganger");
  await hydrated(page);
  await expect(page.getByRole("group", { name: "Skatt, avgift, regnskap og toll" })).toBeVisible();
  await expect(page.getByText("Skattetjenester for næringsdrivende.")).toBeVisible();
  await checkPage(page);

  // The search filters as one types, on names, descriptions and areas.
  await page.getByLabel("Søk etter tilgangspakke").fill("næringsdrivende");
  await expect(page.getByRole("checkbox", { name: "Merverdiavgift", exact: true })).toBeHidden();
  await expect(page.getByRole("group", { name: "Administrere tilganger" })).toBeHidden();
  await page.getByRole("checkbox", { name: "Skatt næring" }).check();
  await page.getByLabel("Søk etter tilgangspakke").fill("finnes ikke");
  await expect(page.getByText("Ingen tilgangspakker passer søket.")).toBeVisible();
  // A chosen package stays in view whatever the search.
  await expect(page.getByRole("checkbox", { name: "Skatt næring" })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: "Skatt næring" })).toBeVisible();

  await page.getByRole("radio", { name: "En virksomhet" }).check();
  await expect(page.getByLabel("Fødselsnummer til mottakeren")).toBeHidden();
  // An organisation number nobody has is refused readably.
  await page.getByLabel("Organisasjonsnummer til mottakeren").fill("310999997");
  await page.getByRole("button", { name: "Gi tilgang" }).click();
  await expect(page.getByRole("alert")).toContainText("Vi fant ingen aktiv virksomhet");
  await checkPage(page);

  await page.getByLabel("Organisasjonsnummer til mottakeren").fill("310200018");
  await page.getByRole("button", { name: "Gi tilgang" }).click();
  await expect(page.getByRole("status")).toContainText("Gitt til Revisjon Nord AS: Skatt næring.");
  const firm = page.getByRole("listitem").filter({ has: page.getByRole("heading", { level: 2, name: "Revisjon Nord AS" }) });
  await expect(firm.getByText("← gitt direkte av Bjørn Hansen", { exact: true })).toBeVisible();
  // Its general manager holds it too, through his key role.
  const per = page.getByRole("listitem").filter({ has: page.getByRole("heading", { level: 2, name: "Per Revisorsen" }) });
  await expect(per.getByText("gitt direkte av Bjørn Hansen som tilhører Revisjon Nord AS, der personen har nøkkelrollen DAGL")).toBeVisible();
  await checkPage(page);

  await page.getByRole("link", { name: "Fjern Skatt næring – Revisjon Nord AS" }).click();
  await expect(page.getByText("Vil du fjerne denne tilgangen?")).toBeVisible();
  await hydrated(page);
  await checkPage(page);
  await page.getByRole("button", { name: "Ja, fjern tilgangen" }).click();
  await expect(page.getByRole("link", { name: "Fjern Skatt næring – Revisjon Nord AS" })).toHaveCount(0);
});

test("the package search works as a plain GET form too", async ({ page }) => {
  await actForBakery(page);
  await page.goto("/tilganger?q=mva");
  await expect(page.getByLabel("Søk etter tilgangspakke")).toHaveValue("mva");
  await expect(page.getByRole("checkbox", { name: "Merverdiavgift", exact: true })).toBeVisible();
  await expect(page.getByRole("checkbox", { name: "Tilgangsstyrer" })).toBeHidden();
  await hydrated(page);
  await checkPage(page);
});

test("what I can do for others shows each party and why, in the reader's language", async ({ page }) => {
  await loginAs(page, "Ola Tallesen");
  await page.getByRole("link", { name: "Fullmakter jeg har" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Fullmakter jeg har" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: /Bakeri Hansen AS/ })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: /Tall og Tro Regnskap AS/ })).toBeVisible();
  await expect(page.getByText("registerrolle Regnskapsfører som tilhører Tall og Tro Regnskap AS, der personen har nøkkelrollen Daglig leder").first()).toBeVisible();
  await checkPage(page);

  await hydrated(page);
  await page.getByRole("link", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "What I can do for others" })).toBeVisible();
  await expect(page.getByText("where the person has the key role Managing Director").first()).toBeVisible();
  await checkPage(page);
  await page.getByRole("link", { name: "Bokmål" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "nb");
});

test("someone who cannot act for anyone else sees a friendly empty state", async ({ page }) => {
  // Gunn holds nothing here (the tests that give her something take it back).
  await loginAs(page, "Gunn Gjest");
  await page.goto("/fullmakter");
  await expect(page.getByText("Du kan ikke representere noen andre ennå.")).toBeVisible();
  await checkPage(page);
});

test("an access manager gives the party's own system user a package", async ({ page }) => {
  await actForBakery(page);
  await page.goto("/tilganger");
  await hydrated(page);
  await page.getByRole("checkbox", { name: "Regnskap og økonomirapportering" }).check();
  await page.getByRole("radio", { name: "En av våre systembrukere" }).check();
  await expect(page.getByLabel("Fødselsnummer til mottakeren")).toBeHidden();
  await page.getByLabel("Systembruker", { exact: true }).selectOption({ label: "Regnskapsappen for Bakeri Hansen" });
  await checkPage(page);
  await page.getByRole("button", { name: "Gi tilgang" }).click();
  await expect(page.getByRole("status")).toContainText("Gitt til Regnskapsappen for Bakeri Hansen: Regnskap og økonomirapportering.");
  const holder = page.getByRole("listitem").filter({ has: page.getByRole("heading", { level: 2, name: "Regnskapsappen for Bakeri Hansen" }) });
  await expect(holder.getByText("Regnskap og økonomirapportering", { exact: true })).toBeVisible();
  // People see the package's name, never its code.
  await expect(holder.getByText("package:regnskap-okonomi-rapport")).toHaveCount(0);
  await checkPage(page);
});
