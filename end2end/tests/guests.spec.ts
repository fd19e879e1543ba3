import { test, expect } from "@playwright/test";
import { checkPage, chooseParty, hydrated, loginAs } from "./helpers";
import { mailTo } from "./mail";

/** A stamp of letters only (usernames are made of the name's letters). */
function letters(): string {
  return Date.now().toString(36).replace(/[0-9]/g, (d) => "abcdefghij"[Number(d)]);
}

/** The date `days` after today (UTC) as an <input type=date> value. */
function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

// L1 in Chromium: Sara Sponsor (sponsor for the Faculty of Natural
// Sciences) registers a short-term guest in the Department of Chemistry;
// an end date beyond the maximum is refused next to its field; the guest
// is in "my guests" as invited, the stay is extended and then ended.
test("L1: a sponsor registers a guest, extends the stay and ends it; too long a stay is refused at the field", async ({ page }) => {
  await loginAs(page, "Sara Sponsor");
  await chooseParty(page, "Universitetet i Fjordby");
  await page.goto("/gjester");
  await expect(page.getByRole("heading", { level: 1, name: "Gjester" })).toBeVisible();
  await hydrated(page);
  await checkPage(page);

  // Two days ahead, so that the date is in the future in Oslo too.
  const stamp = letters();
  const surname = `Besøk${stamp}`;
  const name = `Åse ${surname}`;
  await page.getByLabel("Enhet").selectOption("NAT-KJEM");
  await page.getByLabel("Fornavn").fill("Åse");
  await page.getByLabel("Etternavn", { exact: true }).fill(surname);
  await page.getByLabel("Privat e-postadresse").fill(`aase.${stamp}@example.org`);
  await page.getByLabel("Første dag").fill(day(2));
  await page.getByLabel("Sluttdato", { exact: true }).fill(day(40));
  await page.getByRole("button", { name: "Registrer gjesten" }).click();
  await expect(page.locator("#guest-end-error")).toContainText("Sluttdatoen må være etter første dag");
  await expect(page.getByTestId("error-summary")).toBeVisible();
  await checkPage(page);

  await page.getByLabel("Sluttdato", { exact: true }).fill(day(12));
  await page.getByRole("button", { name: "Registrer gjesten" }).click();
  await expect(page.getByRole("status")).toContainText(`${name} er registrert med brukernavnet abesok${stamp}`);
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: new RegExp(name) }) });
  await expect(row.getByTestId("guest-state")).toHaveText("Invitert");
  await expect(row).toContainText("Kjemisk institutt");
  await checkPage(page);

  await row.getByLabel(`Ny sluttdato: ${name}`).fill(day(20));
  await row.getByRole("button", { name: "Forleng" }).click();
  await expect(page.getByRole("status")).toContainText(`Oppholdet er forlenget til ${day(20)}`);
  await expect(row).toContainText(day(20));

  await row.getByLabel(`Årsak: ${name}`).fill("Besøket ble avlyst");
  await row.getByRole("button", { name: "Avslutt nå" }).click();
  await expect(page.getByRole("status")).toContainText("Gjestens konto er avsluttet.");
  await expect(row.getByTestId("guest-state")).toHaveText("Avsluttet");
  await expect(row.getByRole("button", { name: "Avslutt nå" })).toHaveCount(0);
  await checkPage(page);
});

// Someone who is no sponsor sees why, and a crafted registration is refused.
test("L1: the director, who is no sponsor, cannot register guests", async ({ page }) => {
  await loginAs(page, "Ada Rektor");
  await chooseParty(page, "Universitetet i Fjordby");
  await page.goto("/gjester");
  await expect(page.getByText("Bare sponsorer og brukerstøtte ved institusjonen kan registrere gjester.")).toBeVisible();
  await hydrated(page);
  await checkPage(page);
  const base = test.info().project.use.baseURL!;
  const refused = await page.request.post("/api/register_guest", {
    headers: { Origin: base },
    form: { unit: "NAT", given_name: "Ivar", surname: "Ikke", email: "ivar@example.org", start: day(2), end: day(5) },
  });
  expect(refused.ok()).toBe(false);
  expect(await refused.text()).toMatch(/NotAllowed|not_allowed/);
});

// The director keeps the university's units: the tree and the sponsors in
// the first HTML, an import with a wrong line refused next to the field,
// then a good one saved.
test("L1: the director imports organisational units and sees the sponsors", async ({ page }) => {
  await loginAs(page, "Ada Rektor");
  await chooseParty(page, "Universitetet i Fjordby");
  await page.goto("/enheter");
  await expect(page.getByRole("heading", { level: 1, name: "Organisasjonsenheter og sponsorer" })).toBeVisible();
  await expect(page.getByRole("rowheader", { name: "Kjemisk institutt" })).toBeVisible();
  await expect(page.getByRole("rowheader", { name: "Sara Sponsor" })).toBeVisible();
  await hydrated(page);
  await checkPage(page);

  const code = `E2E-${Date.now().toString(36).toUpperCase()}`;
  await page.getByLabel("Enheter, én per linje").fill(`${code};Testenhet;Testeining;Test unit;NAT\nbare tull`);
  await page.getByRole("button", { name: "Importer" }).click();
  await expect(page.locator("#units-import-error")).toContainText("Linje 2 i importen har feil form.");
  await checkPage(page);
  await page.getByLabel("Enheter, én per linje").fill(`${code};Testenhet;Testeining;Test unit;NAT`);
  await page.getByRole("button", { name: "Importer" }).click();
  await expect(page.getByRole("status")).toContainText("Importen er lagret. Antall enheter: 1.");
  await expect(page.getByRole("row").filter({ hasText: code })).toContainText("NAT");
  await checkPage(page);
});

// The rules for guests: the values in force, a wrong field refused next to it, a saved
// change (only the retention, so the other tests' stays are untouched), and a new version
// of the terms.
test("L1: the director keeps the rules and the terms for guests", async ({ page }) => {
  await loginAs(page, "Ada Rektor");
  await chooseParty(page, "Universitetet i Fjordby");
  await page.goto("/gjesteregler");
  await expect(page.getByRole("heading", { level: 1, name: "Regler og vilkår for gjester" })).toBeVisible();
  await expect(page.getByLabel("Lengste opphold (dager)")).toHaveValue("30");
  await hydrated(page);
  await checkPage(page);

  await page.getByLabel("Varsel før sluttdatoen (dager)").fill("14, 14");
  await page.getByRole("button", { name: "Lagre reglene" }).click();
  await expect(page.locator("#policy-notice-days-error")).toContainText("Skriv høyst fem ulike tall");
  await checkPage(page);
  await page.getByLabel("Varsel før sluttdatoen (dager)").fill("14, 7, 1");
  await page.getByLabel("Avsluttede kontoer slettes etter (dager)").fill("200");
  await page.getByRole("button", { name: "Lagre reglene" }).click();
  await expect(page.getByRole("status")).toContainText("Reglene er lagret.");
  await expect(page.getByLabel("Avsluttede kontoer slettes etter (dager)")).toHaveValue("200");

  const version = Number((await page.getByTestId("terms-version").textContent())?.match(/Versjon (\d+)/)?.[1]);
  // The other tests read the terms too: the new version still begins as the demo's does.
  await page.getByLabel("Vilkårene på bokmål").fill("Som gjest ved Universitetet i Fjordby bruker du kontoen bare til formålet med besøket.");
  await page.getByRole("button", { name: "Publiser vilkårene" }).click();
  await expect(page.getByRole("status")).toContainText(`Versjon ${version + 1} av vilkårene er publisert.`);
  await expect(page.getByText("Som gjest ved Universitetet i Fjordby bruker du kontoen bare til formålet med besøket.").first()).toBeVisible();
  await checkPage(page, { skipNoJs: "shows the outcome of publishing, which a reload does not repeat" });
});

// L1's claim in Chromium: the invitation goes out by e-mail over real SMTP;
// the guest, not logged in, opens the link, asks for a one-time code (by
// e-mail, as no mobile was given), types a wrong one (refused next to the
// field), then the right one with the terms accepted, and the account is
// active.
test("L1: a guest claims the account through the e-mailed link with a one-time code", async ({ page, browser }) => {
  await loginAs(page, "Sara Sponsor");
  await chooseParty(page, "Universitetet i Fjordby");
  await page.goto("/gjester");
  await hydrated(page);
  const stamp = letters();
  const email = `claim.${stamp}@example.org`;
  await page.getByLabel("Enhet").selectOption("NAT");
  await page.getByLabel("Fornavn").fill("Kari");
  await page.getByLabel("Etternavn", { exact: true }).fill(`Krav${stamp}`);
  await page.getByLabel("Privat e-postadresse").fill(email);
  await page.getByLabel("Første dag").fill(day(2));
  await page.getByLabel("Sluttdato", { exact: true }).fill(day(25));
  await page.getByRole("button", { name: "Registrer gjesten" }).click();
  await expect(page.getByRole("status")).toContainText("er registrert med brukernavnet");

  const invitation = await mailTo(email, "Invitasjon fra Universitetet i Fjordby");
  const token = invitation.body.split("/gjest/")[1].split(/\s/)[0];
  const guest = await (await browser.newContext()).newPage();
  await guest.goto(`/gjest/${token}`);
  await expect(guest.getByRole("heading", { level: 1, name: "Ta i bruk kontoen din" })).toBeVisible();
  await expect(guest.getByTestId("claim-terms-text")).toContainText("Som gjest ved Universitetet i Fjordby");
  await hydrated(guest);
  await checkPage(guest);

  await guest.getByRole("button", { name: "Send engangskode" }).click();
  await expect(guest.getByRole("status")).toContainText("Koden er sendt til c•••@example.org.");
  const code = (await mailTo(email, "Engangskode")).body.match(/Engangskoden din er (\d{6})/)![1];
  await guest.getByLabel("Engangskode").fill(code === "000000" ? "111111" : "000000");
  await guest.getByLabel("Jeg har lest og godtar vilkårene").check();
  await guest.getByRole("button", { name: "Ta i bruk kontoen" }).click();
  await expect(guest.locator("#claim-code-error")).toContainText("Koden er feil eller utløpt.");
  await checkPage(guest);

  await guest.getByLabel("Engangskode").fill(code);
  await guest.getByLabel("Jeg har lest og godtar vilkårene").check();
  await guest.getByRole("button", { name: "Ta i bruk kontoen" }).click();
  await expect(guest.getByRole("status")).toContainText("Kontoen din hos Universitetet i Fjordby er tatt i bruk.");
  await checkPage(guest, { skipNoJs: "shows the result of the claim, which a reload no longer has: the link is used" });

  await page.reload();
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: new RegExp(`Kari Krav${stamp}`) }) });
  await expect(row.getByTestId("guest-state")).toHaveText("Aktiv");

  // Later, Kari (no national identity number) logs in as a guest with a code by e-mail
  // and sees her account on /meg.
  await guest.goto("/meg");
  await guest.getByRole("link", { name: "Logg inn som gjest med en engangskode" }).click();
  await expect(guest.getByRole("heading", { level: 1, name: "Logg inn som gjest" })).toBeVisible();
  await hydrated(guest);
  await checkPage(guest);
  await guest.getByLabel("E-postadresse").first().fill(email);
  await guest.getByRole("button", { name: "Send kode" }).click();
  await expect(guest.getByRole("status")).toContainText("Hvis adressen hører til en gjest, har vi sendt en kode.");
  await checkPage(guest, { skipNoJs: "shows that a code was sent, which a reload does not repeat" });
  const login = (await mailTo(email, "Kode for å logge inn som gjest")).body.match(/som gjest ved Universitetet i Fjordby er (\d{6})/)![1];
  const second = guest.locator("form").filter({ has: guest.getByRole("button", { name: "Logg inn", exact: true }) });
  await second.getByLabel("E-postadresse").fill(email);
  await second.getByLabel("Engangskode").fill(login === "000000" ? "111111" : "000000");
  await second.getByRole("button", { name: "Logg inn", exact: true }).click();
  await expect(guest.locator("#login-code-error")).toContainText("Koden er feil eller utløpt.");
  await second.getByLabel("Engangskode").fill(login);
  await second.getByRole("button", { name: "Logg inn", exact: true }).click();
  await expect(guest).toHaveURL(/\/meg$/);
  await expect(guest.getByRole("heading", { level: 1, name: "Mine gjestekontoer" })).toBeVisible();
  await expect(guest.getByTestId("my-account-state")).toHaveText("Aktiv");
  await hydrated(guest);
  await checkPage(guest);
});

// /meg for someone who is no guest: whole in the first HTML, and says so.
test("L1: a person without guest accounts sees that on /meg", async ({ page }) => {
  await loginAs(page, "Sara Sponsor");
  await page.goto("/meg");
  await expect(page.getByRole("heading", { level: 1, name: "Mine gjestekontoer" })).toBeVisible();
  await expect(page.getByText("Du har ingen gjestekontoer.")).toBeVisible();
  await hydrated(page);
  await checkPage(page);
});
