// The portal's journeys with JavaScript turned off: every form is a plain POST,
// answered with post/redirect/get, and its success or refusal is shown on the
// page it returns to, the refusal next to the field and in a summary, with
// what the person typed kept.
import { test, expect, Page } from "@playwright/test";
import { checkPage } from "./helpers";

test.use({ javaScriptEnabled: false });

// The bakery's accountant: listed for the bakery through the firm's register role, but
// holding Merverdiavgift only if it is given to him.
const OLA = { nin: "03908110020", name: "Ola Tallesen" };
// Another, for the role test, so the tests do not see each other's roles.
const FREDRIK = { nin: "30909810090", name: "Fredrik Forvalter" };

/** Logs in through the test provider by plain links and forms. */
async function login(page: Page, name: string) {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Fullmakt" })).toBeVisible();
  await page.getByRole("link", { name: "Logg inn" }).first().click();
  await expect(page.getByRole("heading", { name: "Testinnlogging" })).toBeVisible();
  await page.getByLabel(name).check();
  await page.getByRole("button", { name: "Logg inn" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(name);
}

async function choose(page: Page, party: string) {
  await page.goto("/velg-aktor");
  await expect(page.getByRole("heading", { level: 1, name: "Velg aktør" })).toBeVisible();
  await page.getByRole("button", { name: `Velg ${party}` }).click();
  await expect(page.getByTestId("acting-for")).toContainText(party);
}

/** Logs in, chooses the party and opens the page with this main heading, checked. */
async function openPage(page: Page, person: string, party: string, path: string, heading: string) {
  await login(page, person);
  await choose(page, party);
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
  await checkPage(page);
}

/** The holders listed on /tilganger, as the text of the list. */
async function holders(page: Page) {
  const list = page.getByRole("list", { name: "Personer og virksomheter med tilgang" });
  return (await list.count()) ? await list.innerText() : "";
}

test("without JavaScript: log in, choose a party, give a package and revoke it", async ({ page }) => {
  await login(page, "Bjørn Hansen");
  await checkPage(page);

  // A party the person may not act for is refused, readably.
  await page.goto("/?party=310200018");
  await expect(page).toHaveURL(/\/velg-aktor\?error=not_allowed/);
  await expect(page.getByRole("alert")).toContainText("Du har ikke tilgang");

  await choose(page, "Bakeri Hansen AS");
  await page.goto("/tilganger");
  await expect(page.getByRole("heading", { level: 1, name: "Hvem har tilgang" })).toBeVisible();
  await checkPage(page);
  const before = await holders(page);
  const ola = page.getByRole("listitem").filter({ has: page.getByRole("heading", { level: 2, name: OLA.name }) });
  await expect(ola.getByText("Merverdiavgift", { exact: true })).toHaveCount(0);

  // Nothing chosen: the error is next to the packages and in the summary, and nothing is given.
  await page.getByRole("button", { name: "Gi tilgang" }).click();
  await expect(page).toHaveURL(/\/tilganger$/);
  const summary = page.getByTestId("error-summary");
  await expect(summary).toContainText("Velg minst én tilgangspakke");
  await expect(page.locator("#give-packages")).toHaveAttribute("aria-describedby", "give-packages-error");
  await expect(page.locator("#give-packages .ds-validation-message")).toContainText("Velg minst én tilgangspakke");
  expect(await holders(page)).toBe(before);
  await checkPage(page);

  // A wrong surname: refused next to the national identity number, with what was typed kept.
  await page.getByRole("checkbox", { name: "Merverdiavgift", exact: true }).check();
  await page.getByLabel("Fødselsnummer til mottakeren").fill(OLA.nin);
  await page.getByLabel("Etternavn til mottakeren").fill("Feilnavn");
  await page.getByRole("button", { name: "Gi tilgang" }).click();
  await expect(page.getByTestId("error-summary")).toBeVisible();
  await expect(page.getByLabel("Fødselsnummer til mottakeren")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Fødselsnummer til mottakeren")).toHaveValue(OLA.nin);
  await expect(page.getByLabel("Etternavn til mottakeren")).toHaveValue("Feilnavn");
  await expect(page.getByRole("checkbox", { name: "Merverdiavgift", exact: true })).toBeChecked();
  expect(await holders(page)).toBe(before);

  // Right surname: given, and shown.
  await page.getByLabel("Etternavn til mottakeren").fill("Tallesen");
  await page.getByRole("button", { name: "Gi tilgang" }).click();
  await expect(page.getByRole("status")).toContainText(`Gitt til ${OLA.name}: Merverdiavgift.`);
  await expect(ola.getByText("Merverdiavgift", { exact: true })).toBeVisible();
  await expect(ola).not.toContainText("package:");
  await checkPage(page);

  // Revoke after confirming.
  await ola.getByRole("link", { name: `Fjern Merverdiavgift – ${OLA.name}` }).click();
  await expect(page.getByText("Vil du fjerne denne tilgangen?")).toBeVisible();
  const confirmUrl = page.url();
  await checkPage(page);
  await page.getByRole("button", { name: "Ja, fjern tilgangen" }).click();
  await expect(page.getByRole("status")).toContainText("Tilgangen er fjernet.");
  await expect(page.getByText("Vil du fjerne denne tilgangen?")).toHaveCount(0);
  await expect(ola.getByText("Merverdiavgift", { exact: true })).toHaveCount(0);

  // Revoking it again (the same confirmation, posted twice) is refused, readably.
  await page.goto(confirmUrl);
  await expect(page.getByText("Vil du fjerne denne tilgangen?")).toBeVisible();
  await page.getByRole("button", { name: "Ja, fjern tilgangen" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
});

test("without JavaScript: register an API client; a bad scope is refused next to the field", async ({ page }) => {
  await openPage(page, "Bjørn Hansen", "Bakeri Hansen AS", "/api-klienter", "API-klienter");
  const name = `Lager ${Date.now()}`;

  await page.getByLabel("Visningsnavn").fill(name);
  await page.getByLabel("Scopes", { exact: true }).fill("altinn:authorization/authorize");
  await page.getByRole("button", { name: "Registrer klient" }).click();
  await expect(page.getByTestId("error-summary")).toContainText("kan bare gis av driftsoperatøren");
  await expect(page.getByLabel("Scopes", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Visningsnavn")).toHaveValue(name);
  await expect(page.getByLabel("Scopes", { exact: true })).toHaveValue("altinn:authorization/authorize");
  await expect(page.getByRole("heading", { level: 2, name })).toHaveCount(0);
  await checkPage(page);

  await page.getByLabel("Scopes", { exact: true }).fill("bakeri:lager.read");
  await page.getByRole("button", { name: "Registrer klient" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Klienten er registrert" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name })).toBeVisible();
});

test("without JavaScript: create a service; bad input is shown next to the fields", async ({ page }) => {
  const id = `nojs-${Date.now()}`;
  await openPage(page, "Ada Rektor", "Universitetet i Fjordby", "/tjenester/ny", "Ny tjeneste");

  // A bad id and no subject (the form leaves checking to the server: novalidate).
  await page.getByLabel("Id", { exact: true }).fill("Ugyldig id");
  await page.getByLabel("Tittel (bokmål)").fill("Stipendsøknad");
  await page.getByLabel("Tittel (nynorsk)").fill("Stipendsøknad");
  await page.getByLabel("Tittel (engelsk)").fill("Grant application");
  await page.getByRole("button", { name: "Opprett tjenesten" }).click();
  const summary = page.getByTestId("error-summary");
  await expect(summary).toContainText("Id må være 2–100 tegn");
  await expect(summary).toContainText("Velg minst én tilgangspakke, rollekode eller part.");
  await expect(page.getByLabel("Id", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Id", { exact: true })).toHaveValue("Ugyldig id");
  await expect(page.getByLabel("Tittel (engelsk)")).toHaveValue("Grant application");
  await checkPage(page);

  await page.getByLabel("Id", { exact: true }).fill(id);
  await page.getByLabel("Rollekoder").fill("DAGL");
  await page.getByRole("button", { name: "Opprett tjenesten" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Stipendsøknad" })).toBeVisible();
  await expect(page.getByRole("status")).toContainText("Endringene er lagret.");
  await checkPage(page);
});

test("without JavaScript: create a role and assign it; refusals are shown next to the fields", async ({ page }) => {
  const code = `nojs-${Date.now() % 1_000_000}`;
  await openPage(page, "Bjørn Hansen", "Bakeri Hansen AS", "/roller", "Brukerroller");

  // An invalid code: refused next to the field, names kept, no role made.
  await page.getByLabel("Kode", { exact: true }).fill("Ugyldig kode");
  await page.getByLabel("Navn (bokmål)").fill("Kasserer");
  await page.getByLabel("Tilgangspakker").fill("merverdiavgift");
  await page.getByRole("button", { name: "Opprett rollen" }).click();
  await expect(page.getByTestId("error-summary")).toContainText("Koden må ha 2 til 64 tegn");
  await expect(page.getByLabel("Kode", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Navn (bokmål)")).toHaveValue("Kasserer");
  await expect(page.getByRole("cell", { name: "Ugyldig kode" })).toHaveCount(0);
  await checkPage(page);

  await page.getByLabel("Kode", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Opprett rollen" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Rollen er opprettet" })).toBeVisible();

  // Assigning to a person whose surname does not match is refused, and nothing is assigned.
  await page.getByLabel("Rollekode").fill(code);
  await page.getByLabel("Fødselsnummer til personen").fill(FREDRIK.nin);
  await page.getByLabel("Etternavn til personen").fill("Feilnavn");
  await page.getByLabel("Utstedt av", { exact: true }).fill("Bjørn Hansen");
  await page.getByRole("button", { name: "Tildel rollen" }).click();
  await expect(page.getByTestId("error-summary")).toBeVisible();
  await expect(page.getByLabel("Fødselsnummer til personen")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Rollekode")).toHaveValue(code);
  await expect(page.getByLabel("Utstedt av", { exact: true })).toHaveValue("Bjørn Hansen");
  await expect(page.getByRole("button", { name: `Avslutt ${code} – ${FREDRIK.name}` })).toHaveCount(0);

  await page.getByLabel("Etternavn til personen").fill("Forvalter");
  await page.getByRole("button", { name: "Tildel rollen" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Rollen er tildelt" })).toBeVisible();
  await expect(page.getByRole("button", { name: `Avslutt ${code} – ${FREDRIK.name}` })).toBeVisible();
  await checkPage(page);

  // Ending it is a plain form too.
  await page.getByRole("button", { name: `Avslutt ${code} – ${FREDRIK.name}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "Rolletildelingen er avsluttet" })).toBeVisible();
  await expect(page.getByRole("button", { name: `Avslutt ${code} – ${FREDRIK.name}` })).toHaveCount(0);
});

test("without JavaScript: give a single right; a wrong surname is refused next to the field", async ({ page }) => {
  await openPage(page, "Bjørn Hansen", "Bakeri Hansen AS", "/tilganger/enkeltrettighet", "Gi en enkeltrettighet");
  await page.getByLabel("Enkeltrettighet").selectOption({ label: "Rapportering til Universitetet i Fjordby (skrive)" });
  await page.getByRole("radio", { name: "En person" }).check();
  await page.getByLabel("Fødselsnummer til mottakeren").fill("11839110083");
  await page.getByLabel("Etternavn til mottakeren").fill("Feil");
  await page.getByRole("button", { name: "Gi enkeltrettighet" }).click();
  await expect(page.getByTestId("error-summary")).toBeVisible();
  await expect(page.getByLabel("Fødselsnummer til mottakeren")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Fødselsnummer til mottakeren")).toHaveValue("11839110083");
  await checkPage(page);

  // Given to the auditing firm instead: Gunn is left as the later tests expect her.
  await page.getByRole("radio", { name: "En virksomhet" }).check();
  await page.getByLabel("Organisasjonsnummer til mottakeren").fill("310200018");
  await page.getByRole("button", { name: "Gi enkeltrettighet" }).click();
  await expect(page.getByRole("status")).toContainText("Gitt til Revisjon Nord AS: Rapportering til Universitetet i Fjordby (skrive).");
  await checkPage(page);
});

test("without JavaScript: the client's relationships are whole in the first HTML", async ({ page }) => {
  await openPage(page, "Bjørn Hansen", "Bakeri Hansen AS", "/klientforhold", "Klientforhold");
  const firm = page.locator("section[data-firm]").filter({ has: page.getByRole("heading", { level: 2, name: /Revisjon Nord AS/ }) });
  await expect(firm.getByText("Rolle i Enhetsregisteret: Revisor")).toBeVisible();
});
