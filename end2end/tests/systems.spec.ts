// The provider's screens ("Våre systemer") and scenario S8 end to end: the
// bakery runs a payroll system on its own servers. It registers an API client
// with its own key in the portal, registers a system for that installation
// (refused first, readably, for a return address without https), makes a system user of it for
// itself, and the installation gets a system-user token signed with its own
// key — no vendor's key is shared — which the PDP permits for the bakery only.
// Deleting the system stops its tokens.
import { test, expect } from "@playwright/test";
import { generateKeyPairSync } from "node:crypto";
import { chooseParty, checkPage, hydrated, loginAs } from "./helpers";
import { claims, decision, Signer, token, tokenResponse } from "./vendor";

const BAKERY = "310400009";
const FISH = "310600008";

test("S8: the bakery registers its own installation as a system, with its own client and key, and its token is permitted for the bakery only", async ({ page, request }) => {
  await loginAs(page, "Bjørn Hansen");
  await chooseParty(page, "Bakeri Hansen AS");

  // The installation's API client and key, registered by the bakery itself.
  await page.goto("/api-klienter");
  await hydrated(page);
  await page.getByLabel("Visningsnavn").fill("Lokal lønn");
  await page.getByLabel("Scopes", { exact: true }).fill("bakeri:lonn.read");
  await page.getByRole("button", { name: "Registrer klient" }).click();
  const card = page.getByRole("listitem").filter({ has: page.getByRole("heading", { level: 2, name: "Lokal lønn" }) });
  await expect(card).toBeVisible();
  const clientId = (await card.locator("code").first().textContent())!.trim();
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  await card.getByText("Legg til nøkkel", { exact: true }).click();
  await card.getByLabel("Offentlig nøkkel (JWK eller PEM)").fill(JSON.stringify({ ...publicKey.export({ format: "jwk" }), kid: "lokal-1" }));
  await card.getByRole("button", { name: "Lagre nøkkel" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Nøkkelen er lagt til" })).toBeVisible();
  const installation: Signer = { clientId, kid: "lokal-1", key: privateKey };

  // The system for the installation: a missing name is refused by the field, nothing registered.
  await page.goto("/");
  await page.getByRole("link", { name: "Våre systemer i systemregisteret" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Våre systemer" })).toBeVisible();
  await checkPage(page);
  await page.getByRole("link", { name: "Registrer nytt system" }).click();
  await checkPage(page);
  await page.getByLabel("Kortnavn i system-ID-en").fill("lokal-lonn");
  const names = page.getByRole("group", { name: "Navn" });
  await names.getByLabel("Bokmål").fill("Lokal lønn");
  await names.getByLabel("Nynorsk").fill("Lokal løn");
  await names.getByLabel("Engelsk").fill("Local payroll");
  const descriptions = page.getByRole("group", { name: "Beskrivelse" });
  await descriptions.getByLabel("Bokmål").fill("Lønnssystemet på bakeriets egne servere.");
  await descriptions.getByLabel("Nynorsk").fill("Lønssystemet på tenarane til bakeriet.");
  await descriptions.getByLabel("Engelsk").fill("The payroll system on the bakery's own servers.");
  await page.getByText("Vis tjenestene").click();
  await page.getByLabel("Rapportering til Universitetet i Fjordby").check();
  await page.getByLabel("Lokal lønn", { exact: true }).check();
  // A return address without https gets past the browser and is refused by the server.
  await page.getByLabel("Tillatte adresser tilbake").fill("http://lonn.bakeri.example/ferdig");
  await page.getByRole("button", { name: "Registrer system" }).click();
  await expect(page.getByTestId("error-summary")).toContainText("Hver adresse tilbake må være en fullstendig https-adresse");
  await expect(page.getByLabel("Kortnavn i system-ID-en")).toHaveValue("lokal-lonn");
  await expect(page.getByLabel("Lokal lønn", { exact: true })).toBeChecked();
  await checkPage(page);

  await page.getByLabel("Tillatte adresser tilbake").fill("https://lonn.bakeri.example/ferdig");
  await page.getByRole("button", { name: "Registrer system" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Lokal lønn" })).toBeVisible();
  await expect(page.getByText(`${BAKERY}_lokal-lonn`)).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: "Registrert" })).toBeVisible();
  await checkPage(page);

  // A system user of its own system, made by the bakery itself.
  await page.getByRole("link", { name: "Lag systembruker for egen virksomhet" }).click();
  await checkPage(page);
  await page.getByRole("button", { name: "Lag systembruker" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Lokal lønn" })).toBeVisible();
  const systemUserPage = page.url();

  const t = await token(request, "bakeri:lonn.read", BAKERY, undefined, installation);
  const systemUser = claims(t).authorization_details[0].systemuser_id[0];
  expect(systemUserPage.endsWith(systemUser)).toBe(true);
  expect(await decision(request, systemUser, BAKERY)).toBe("Permit");
  expect(await decision(request, systemUser, FISH)).not.toBe("Permit");

  // Changing the system, then deleting it: its tokens stop.
  await page.goto(`/systemer/${BAKERY}_lokal-lonn/endre`);
  await expect(page.getByRole("group", { name: "Navn" }).getByLabel("Nynorsk")).toHaveValue("Lokal løn");
  await checkPage(page);
  await page.goto(`/systemer/${BAKERY}_lokal-lonn`);
  await page.getByRole("link", { name: "Slett systemet" }).click();
  await expect(page.getByText("Er du sikker på at du vil slette systemet «Lokal lønn»?")).toBeVisible();
  await checkPage(page);
  await page.getByRole("button", { name: "Slett systemet" }).click();
  await expect(page.getByRole("status")).toContainText("Systemet er slettet");
  await checkPage(page);
  const after = await tokenResponse(request, "bakeri:lonn.read", BAKERY, undefined, installation);
  expect(after.status(), "no token for a deleted system's system user").toBe(400);
});

test("the pickers narrow as one types, keep what is ticked in view, and say how many match", async ({ page }) => {
  await loginAs(page, "Bjørn Hansen");
  await chooseParty(page, "Bakeri Hansen AS");
  await page.goto("/systemer/ny");
  await hydrated(page);
  const packages = page.getByRole("group", { name: "Tilgangspakker" });
  const search = packages.getByRole("searchbox", { name: "Søk i tilgangspakkene" });
  await search.fill("økonomirapportering");
  await expect(packages.getByLabel("Regnskap og økonomirapportering")).toBeVisible();
  await expect(packages.getByLabel("Merverdiavgift", { exact: true })).toBeHidden();
  await expect(packages.getByText(/^\d+ treff$/)).toBeVisible();
  await packages.getByLabel("Regnskap og økonomirapportering").check();
  // Another search: the ticked package stays in view, the others that do not match are hidden.
  await search.fill("merverdiavgift");
  await expect(packages.getByLabel("Merverdiavgift", { exact: true })).toBeVisible();
  await expect(packages.getByLabel("Regnskap og økonomirapportering")).toBeVisible();
  await expect(packages.getByLabel("Skatt næring", { exact: true })).toBeHidden();
  await checkPage(page);
  await search.fill("ingenpakkeheterslik");
  await expect(packages.getByText("Ingen treff. Prøv et annet ord, eller tøm søket for å se alle.")).toBeVisible();
  // Enter in the box does not send the form.
  await search.press("Enter");
  await expect(page).toHaveURL(/\/systemer\/ny$/);
  // An empty search hides nothing.
  await search.fill("");
  const row = packages.locator("div.ds-field").filter({ has: page.getByLabel("Skatt næring", { exact: true }) });
  await expect(row).not.toHaveAttribute("hidden");
  // A box ticked without a change event, as a browser restores one on going back, stays in view too.
  await packages.getByLabel("Skatt næring", { exact: true }).evaluate((box: HTMLInputElement) => {
    box.checked = true;
  });
  await search.fill("merverdiavgift");
  await expect(packages.getByLabel("Skatt næring", { exact: true })).toBeVisible();

  const rights = page.getByRole("group", { name: "Enkeltrettigheter" });
  await rights.getByRole("searchbox", { name: "Søk i tjenestene" }).fill("fjordby");
  await expect(rights.getByLabel("Rapportering til Universitetet i Fjordby")).toBeVisible();
});
