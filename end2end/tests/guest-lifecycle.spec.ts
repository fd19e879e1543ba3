import { test, expect, APIRequestContext, Page } from "@playwright/test";
import { checkPage, chooseParty, hydrated, loginAs } from "./helpers";
import { mailTo } from "./mail";
import { CLOCK_BASE, moveClock, osloDay } from "./clock";

// Scenario L1 from registration to deletion, on the server whose clock the test moves
// (tests/clock.ts): Gunn Gjest holds nothing at the university there, as on every
// fresh demo database, and nothing here touches the shared server.
test.use({ baseURL: CLOCK_BASE });

const GUNN = "11839110083";
const UNIVERSITY = "310700002";
const GUEST_RESOURCE = "fjordby-gjestetilgang";
const PDP_KEY = "e2e-pdp-key-0123456789";
const SPONSOR_EMAIL = "sara.sponsor@example.org";

/** The PDP's answer, over HTTP, to "may Gunn read the guests' access at the university?". */
async function gunnMayUseGuestAccess(request: APIRequestContext): Promise<string> {
  const res = await request.post("/authorization/api/v1/authorize", {
    headers: { Authorization: `Bearer ${PDP_KEY}` },
    data: {
      Request: {
        AccessSubject: [{ Attribute: [{ AttributeId: "urn:altinn:person:identifier-no", Value: GUNN }] }],
        Action: [{ Attribute: [{ AttributeId: "urn:oasis:names:tc:xacml:1.0:action:action-id", Value: "read" }] }],
        Resource: [
          {
            Attribute: [
              { AttributeId: "urn:altinn:resource", Value: GUEST_RESOURCE },
              { AttributeId: "urn:altinn:organization:identifier-no", Value: UNIVERSITY },
            ],
          },
        ],
      },
    },
  });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()).Response[0].Decision;
}

/** Whether the authorized-parties API lists the university among the parties Gunn may act for. */
async function gunnMayActForTheUniversity(request: APIRequestContext): Promise<boolean> {
  const res = await request.get(`/accessmanagement/api/v1/authorizedparties?subject=${GUNN}`, {
    headers: { Authorization: `Bearer ${PDP_KEY}` },
  });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.text()).includes(UNIVERSITY);
}

/** Gunn's row in Sara's "my guests" (Sara logs in again: moving the clock ends sessions). */
async function gunnAsSaraSeesIt(page: Page) {
  await loginAs(page, "Sara Sponsor");
  await chooseParty(page, "Universitetet i Fjordby");
  await page.goto("/gjester");
  await hydrated(page);
  return page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /Gunn Gjest/ }) });
}

test("L1 end to end: Sara registers Gunn, Gunn claims by login, gets notices as time passes, is deactivated, reactivated, suspended, resumed, ended and deleted", async ({
  page,
  browser,
  request,
}) => {
  test.setTimeout(240_000);
  // Before: Gunn holds nothing at the university.
  expect(await gunnMayUseGuestAccess(request)).toBe("NotApplicable");
  expect(await gunnMayActForTheUniversity(request)).toBe(false);

  // Sara Sponsor registers Gunn for 20 days from today, with her national identity number.
  const email = `gunn.gjest.${Date.now()}@example.org`;
  await loginAs(page, "Sara Sponsor");
  await chooseParty(page, "Universitetet i Fjordby");
  await page.goto("/gjester");
  await hydrated(page);
  await checkPage(page);
  await page.getByLabel("Enhet").selectOption("NAT");
  await page.getByLabel("Fornavn").fill("Gunn");
  await page.getByLabel("Etternavn", { exact: true }).fill("Gjest");
  await page.getByLabel("Privat e-postadresse").fill(email);
  await page.getByLabel("Fødselsnummer (valgfritt)").fill(GUNN);
  await page.getByLabel("Første dag").fill(osloDay(0));
  await page.getByLabel("Sluttdato", { exact: true }).fill(osloDay(20));
  await page.getByRole("button", { name: "Registrer gjesten" }).click();
  await expect(page.getByRole("status")).toContainText("Gunn Gjest er registrert med brukernavnet");
  await checkPage(page, { skipNoJs: "shows the outcome of the registration, which a reload does not repeat" });

  // The invitation arrives at the SMTP server on loopback.
  const invitation = await mailTo(email, "Invitasjon fra Universitetet i Fjordby");
  const token = invitation.body.split("/gjest/")[1].split(/\s/)[0];

  // Gunn opens the link, logs in through the test provider as herself, accepts the terms.
  const gunnContext = await browser.newContext({ baseURL: CLOCK_BASE });
  const gunn = await gunnContext.newPage();
  await gunn.goto(`/gjest/${token}`);
  await expect(gunn.getByRole("heading", { level: 1, name: "Ta i bruk kontoen din" })).toBeVisible();
  await hydrated(gunn);
  await checkPage(gunn);
  await gunn.getByRole("link", { name: "Logg inn med ID-porten" }).click();
  await expect(gunn.getByRole("heading", { name: "Testinnlogging" })).toBeVisible();
  await gunn.getByLabel("Gunn Gjest").check();
  await gunn.getByRole("button", { name: "Logg inn" }).click();
  await expect(gunn.getByText("Du er logget inn som Gunn Gjest.")).toBeVisible();
  await hydrated(gunn);
  await checkPage(gunn);
  await gunn.getByLabel("Jeg har lest og godtar vilkårene").check();
  await gunn.getByRole("button", { name: "Ta i bruk kontoen" }).click();
  await expect(gunn.getByRole("status")).toContainText("Kontoen din hos Universitetet i Fjordby er tatt i bruk.");

  // Active: the PDP permits what the guest role gives, at once.
  await expect.poll(() => gunnMayUseGuestAccess(request), { timeout: 1_000 }).toBe("Permit");
  expect(await gunnMayActForTheUniversity(request)).toBe(true);
  await gunn.goto("/meg");
  await hydrated(gunn);
  await expect(gunn.getByText("Gjestetilgang ved Universitetet i Fjordby")).toBeVisible();
  await checkPage(gunn);

  // T−14, T−7 and T−1: one notice each to Gunn and to Sara, and no more.
  for (const [days, count] of [
    [6, 1],
    [7, 2],
    [6, 3],
  ]) {
    const moved = await moveClock(request, days);
    expect(moved.notices, JSON.stringify(moved)).toBe(1);
    await mailTo(email, "Gjestekontoen din hos Universitetet i Fjordby slutter snart", count);
    await mailTo(SPONSOR_EMAIL, "Oppholdet til gjesten din Gunn Gjest slutter snart", count);
  }
  expect((await moveClock(request, 0)).notices, "each notice goes once").toBe(0);

  // The end date: deactivated, and the PDP no longer permits.
  const ended = await moveClock(request, 1);
  expect(ended.deactivated, JSON.stringify(ended)).toBe(1);
  await expect.poll(() => gunnMayUseGuestAccess(request), { timeout: 1_000 }).toBe("NotApplicable");
  expect(await gunnMayActForTheUniversity(request)).toBe(false);
  const row = await gunnAsSaraSeesIt(page);
  await expect(row.getByTestId("guest-state")).toHaveText("Avsluttet");
  await checkPage(page);

  // Within the retention period Sara reactivates the account for twenty more days (the PDP
  // permits again), then ends it at once (it denies again).
  await row.getByLabel("Ny sluttdato: Gunn Gjest").fill(osloDay(20, Date.parse(ended.now)));
  await row.getByLabel("Årsak: Gunn Gjest").fill("Prosjektet fortsetter");
  await row.getByRole("button", { name: "Åpne kontoen igjen" }).click();
  await expect(page.getByRole("status")).toContainText("Kontoen er åpnet igjen, med sluttdato");
  await expect(row.getByTestId("guest-state")).toHaveText(/Aktiv/);
  await expect.poll(() => gunnMayUseGuestAccess(request), { timeout: 1_000 }).toBe("Permit");
  await checkPage(page, { skipNoJs: "shows the outcome of the reactivation, which a reload does not repeat" });

  // Suspended for a while: Gunn keeps the account but holds nothing, and her page says so;
  // resumed, the PDP permits again.
  await row.getByLabel("Årsak til å stenge midlertidig: Gunn Gjest").fill("Mistenkelig innlogging");
  await row.getByRole("button", { name: "Steng midlertidig" }).click();
  await expect(page.getByRole("status")).toContainText("Kontoen er midlertidig stengt.");
  await expect(row.getByTestId("guest-state")).toHaveText("Midlertidig stengt");
  await expect.poll(() => gunnMayUseGuestAccess(request), { timeout: 1_000 }).toBe("NotApplicable");
  await checkPage(page, { skipNoJs: "shows the outcome of the suspension, which a reload does not repeat" });
  // Gunn's session of three weeks ago has passed its absolute time-out: she logs in again.
  await loginAs(gunn, "Gunn Gjest");
  await gunn.goto("/meg");
  await hydrated(gunn);
  await expect(gunn.getByTestId("my-account-state")).toHaveText("Midlertidig stengt");
  await expect(gunn.getByText("Kontoen gir deg ingen tilganger nå.")).toBeVisible();
  await checkPage(gunn);
  await row.getByRole("button", { name: "Opphev stengingen: Gunn Gjest" }).click();
  await expect(page.getByRole("status")).toContainText("Stengingen er opphevet.");
  await expect(row.getByTestId("guest-state")).toHaveText(/Aktiv/);
  await expect.poll(() => gunnMayUseGuestAccess(request), { timeout: 1_000 }).toBe("Permit");

  await row.getByLabel("Årsak: Gunn Gjest").fill("Prosjektet ble avlyst");
  await row.getByRole("button", { name: "Avslutt nå" }).click();
  await expect(page.getByRole("status")).toContainText("Gjestens konto er avsluttet.");
  await expect.poll(() => gunnMayUseGuestAccess(request), { timeout: 1_000 }).toBe("NotApplicable");

  // After the retention period (183 days) the account is deleted.
  const deleted = await moveClock(request, 183);
  expect(deleted.deleted, JSON.stringify(deleted)).toBe(1);
  await loginAs(gunn, "Gunn Gjest");
  await gunn.goto("/meg");
  await hydrated(gunn);
  await expect(gunn.getByText("Du har ingen gjestekontoer.")).toBeVisible();

  // Every step is in the university's audit trail, by name.
  await loginAs(page, "Ada Rektor");
  await chooseParty(page, "Universitetet i Fjordby");
  await page.goto("/logg");
  await hydrated(page);
  const trail = page.locator("tbody");
  for (const [event, times] of [
    ["Registrerte gjest", 1],
    ["Gjest tok i bruk kontoen", 1],
    ["Varslet om at gjestens opphold slutter", 3],
    ["Deaktiverte gjestekonto", 1],
    ["Åpnet gjestekonto igjen", 1],
    ["Stengte gjestekonto midlertidig", 1],
    ["Opphevet midlertidig stenging av gjestekonto", 1],
    ["Avsluttet gjestens opphold", 1],
    ["Slettet gjestekonto", 1],
  ] as const) {
    await expect(trail.getByRole("row").filter({ hasText: event }), event).toHaveCount(times);
  }
  // Named, not by the account's id.
  await expect(trail.getByRole("row").filter({ hasText: "Slettet gjestekonto" })).toContainText("Gunn Gjest");
  await checkPage(page);
  await gunnContext.close();
});
