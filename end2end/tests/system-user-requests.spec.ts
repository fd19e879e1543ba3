// Scenario S4 end to end, over the real APIs and the real token service: the
// vendor's software asks the bakery for a system user (a single right, and
// again an access package), the bakery's access manager approves it in the
// portal, the browser ends on the vendor's page, and the vendor's system-user
// token is permitted by the PDP for the bakery and denied for another
// organisation. Also: the reject path, the forward-to-access-manager path,
// S7 (the vendor asks itself and approves), deleting a system user (its
// tokens stop at once), making one of a visible system in the portal, and an
// agent request approved by an accounting firm.
import { test, expect, APIRequestContext, Page } from "@playwright/test";
import { randomUUID } from "crypto";
import { checkPage, loginAs, chooseParty } from "./helpers";
import { claims, decision, token, tokenResponse, VENDOR_CLIENT } from "./vendor";

const SYSTEM = "310000000_demo";
const BAKERY = "310400009";
const FISH = "310600008"; // another organisation
const REGISTER = "/authentication/api/v1/systemregister/vendor";
const REQUESTS = "/authentication/api/v1/systemuser/request/vendor";
const VENDOR_PAGE = "https://regnskapsappen.example/ferdig";

/** The vendor offers a single right and an access package on its demo system. */
async function offer(request: APIRequestContext) {
  const write = await token(request, "altinn:authentication/systemregister.write");
  const res = await request.put(`${REGISTER}/${SYSTEM}`, {
    headers: { Authorization: `Bearer ${write}` },
    data: {
      id: SYSTEM,
      vendor: { authority: "iso6523-actorid-upis", ID: "0192:310000000" },
      name: { nb: "Regnskapsappen", nn: "Rekneskapsappen", en: "Accounting app" },
      description: { nb: "Regnskap og lønn for små bedrifter.", nn: "Rekneskap og løn for små verksemder.", en: "Accounting and payroll for small businesses." },
      rights: [{ resource: [{ id: "urn:altinn:resource", value: "fjordby-rapportering" }] }],
      accessPackages: [{ urn: "urn:altinn:accesspackage:regnskap-okonomi-rapport" }],
      clientId: [VENDOR_CLIENT],
      allowedRedirectUrls: [VENDOR_PAGE],
      isVisible: true,
    },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** The vendor asks the bakery (or another customer); the request as the vendor sees it. */
async function ask(request: APIRequestContext, externalRef: string, what: object, customer = BAKERY) {
  const write = await token(request, "altinn:authentication/systemuser.request.write");
  const res = await request.post(REQUESTS, {
    headers: { Authorization: `Bearer ${write}` },
    data: { systemId: SYSTEM, partyOrgNo: customer, externalRef, redirectUrl: `${VENDOR_PAGE}?ref=${externalRef}`, ...what },
  });
  expect(res.status(), await res.text()).toBe(201);
  return res.json();
}

async function status(request: APIRequestContext, id: string) {
  const read = await token(request, "altinn:authentication/systemuser.request.read");
  return (await (await request.get(`${REQUESTS}/${id}`, { headers: { Authorization: `Bearer ${read}` } })).json()).status;
}

/** The confirmUrl's path, on this server. */
function confirmPath(sent: { confirmUrl: string }) {
  const u = new URL(sent.confirmUrl);
  return `${u.pathname}${u.search}`;
}

/** The vendor's own page, where the browser ends after a decision. */
async function vendorPage(page: Page) {
  await page.route(`${VENDOR_PAGE}**`, (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><title>Regnskapsappen</title><h1>Takk</h1>" }));
}

for (const [what, asked, item] of [
  ["a single right", { rights: [{ action: "read", resource: [{ id: "urn:altinn:resource", value: "fjordby-rapportering" }] }] }, "Rapportering til Universitetet i Fjordby (lese)"],
  ["an access package", { accessPackages: [{ urn: "urn:altinn:accesspackage:regnskap-okonomi-rapport" }] }, "Regnskap og økonomirapportering"],
] as const) {
  test(`S4: the bakery approves the vendor's request for ${what}, and the PDP permits its system user for the bakery only`, async ({ page, request }) => {
    await offer(request);
    const ref = `e2e-${what.replace(/ /g, "-")}`;
    const sent = await ask(request, ref, asked);
    await vendorPage(page);
    await loginAs(page, "Bjørn Hansen");
    await page.goto(confirmPath(sent));
    await expect(page.getByRole("heading", { level: 1, name: "Forespørsel om systembruker" })).toBeVisible();
    await expect(page.getByText("Regnskapsappen AS ber om en systembruker for systemet Regnskapsappen")).toBeVisible();
    await expect(page.getByText(item, { exact: true })).toBeVisible();
    await checkPage(page);
    await page.getByRole("button", { name: "Godkjenn" }).click();
    await expect(page).toHaveURL(`${VENDOR_PAGE}?ref=${ref}`);
    expect(await status(request, sent.id)).toBe("Accepted");

    const systemUserToken = await token(request, "altinn:authentication/systemuser.request.read", BAKERY, ref);
    const systemUser = claims(systemUserToken).authorization_details[0].systemuser_id[0];
    expect(systemUser).toBe(sent.id);
    expect(await decision(request, systemUser, BAKERY)).toBe("Permit");
    expect(await decision(request, systemUser, FISH)).not.toBe("Permit");

    await page.goto(`/systembrukere/foresporsel/${sent.id}`);
    await expect(page.getByRole("status")).toContainText("Forespørselen er godkjent");
    await checkPage(page);
  });
}

test("the bakery rejects a request, and the vendor sees it rejected", async ({ page, request }) => {
  await offer(request);
  const sent = await ask(request, "e2e-reject", { accessPackages: [{ urn: "urn:altinn:accesspackage:regnskap-okonomi-rapport" }] });
  await vendorPage(page);
  await loginAs(page, "Bjørn Hansen");
  await page.goto(confirmPath(sent));
  await page.getByRole("button", { name: "Avvis" }).click();
  await expect(page).toHaveURL(`${VENDOR_PAGE}?ref=e2e-reject`);
  expect(await status(request, sent.id)).toBe("Rejected");
});

test("the accountant forwards a request to the bakery's access managers, who find it", async ({ page, request }) => {
  await offer(request);
  const sent = await ask(request, "e2e-forward", { accessPackages: [{ urn: "urn:altinn:accesspackage:regnskap-okonomi-rapport" }] });
  // Ola acts for the bakery as its accountant, but manages no access there.
  await loginAs(page, "Ola Tallesen");
  await page.goto(confirmPath(sent));
  await expect(page.getByRole("button", { name: "Godkjenn" })).toHaveCount(0);
  await checkPage(page);
  await page.getByRole("button", { name: "Send til tilgangsstyrerne" }).click();
  await expect(page.getByRole("status").first()).toContainText("sendt videre til tilgangsstyrerne");
  await checkPage(page);

  await page.getByRole("button", { name: "Logg ut" }).click();
  await loginAs(page, "Bjørn Hansen");
  await chooseParty(page, "Bakeri Hansen AS");
  await page.goto("/systembrukere");
  const pending = page.getByRole("region", { name: "Ventende forespørsler" });
  await expect(pending.getByRole("link")).toContainText(["Regnskapsappen"]);
  await expect(pending).toContainText("videresendt til deg");
  await checkPage(page);

  // The notice, and where it is e-mailed: a bad address is refused by the field.
  await page.goto("/varsler");
  await expect(page.getByRole("link", { name: "Forespørsel om systembrukeren «Regnskapsappen» er sendt videre til dere" }).first()).toBeVisible();
  await checkPage(page);
  await page.getByLabel("E-postadresse", { exact: true }).fill("post@bakeri");
  await page.getByRole("button", { name: "Legg til adresse" }).click();
  await expect(page.getByTestId("error-summary")).toContainText("Skriv en e-postadresse");
  await page.getByLabel("E-postadresse", { exact: true }).fill("post@bakeri.example");
  await page.getByRole("button", { name: "Legg til adresse" }).click();
  await expect(page.getByText("post@bakeri.example", { exact: true })).toBeVisible();
  await checkPage(page);
});

const SINGLE_RIGHT = { rights: [{ action: "read", resource: [{ id: "urn:altinn:resource", value: "fjordby-rapportering" }] }] };

test("S7: the vendor asks itself for a system user of its own system, approves it, and the PDP permits it for the vendor only", async ({ page, request }) => {
  await offer(request);
  const VENDOR = "310000000";
  const sent = await ask(request, "e2e-self", SINGLE_RIGHT, VENDOR);
  await vendorPage(page);
  // Kari runs the vendor, so she manages its access.
  await loginAs(page, "Kari Nordmann");
  await page.goto(confirmPath(sent));
  await expect(page.getByText("Regnskapsappen AS ber om en systembruker for systemet Regnskapsappen")).toBeVisible();
  await checkPage(page);
  await page.getByRole("button", { name: "Godkjenn" }).click();
  await expect(page).toHaveURL(`${VENDOR_PAGE}?ref=e2e-self`);
  const systemUser = claims(await token(request, "altinn:authentication/systemuser.request.read", VENDOR, "e2e-self")).authorization_details[0].systemuser_id[0];
  expect(await decision(request, systemUser, VENDOR)).toBe("Permit");
  expect(await decision(request, systemUser, BAKERY)).not.toBe("Permit");
});

test("the bakery deletes a system user after a confirmation, and its tokens stop at once", async ({ page, request }) => {
  await offer(request);
  const sent = await ask(request, "e2e-delete", { ...SINGLE_RIGHT, integrationTitle: "Slettes snart" });
  await vendorPage(page);
  await loginAs(page, "Bjørn Hansen");
  await page.goto(confirmPath(sent));
  await page.getByRole("button", { name: "Godkjenn" }).click();
  await expect(page).toHaveURL(`${VENDOR_PAGE}?ref=e2e-delete`);
  const before = await token(request, "altinn:authentication/systemuser.request.read", BAKERY, "e2e-delete");
  const systemUser = claims(before).authorization_details[0].systemuser_id[0];
  expect(await decision(request, systemUser, BAKERY)).toBe("Permit");

  await page.goto("/systembrukere");
  await page.getByRole("link", { name: "Slettes snart" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Slettes snart" })).toBeVisible();
  await expect(page.getByRole("img", { name: /Tokener per dag, siste 30 dager\. 1 i alt/ })).toBeVisible();
  await expect(page.getByText("Rapportering til Universitetet i Fjordby (lese)")).toBeVisible();
  await checkPage(page);
  await page.getByRole("link", { name: "Slett systembruker" }).click();
  await expect(page.getByText("Er du sikker på at du vil slette systembrukeren «Slettes snart»?")).toBeVisible();
  await checkPage(page);
  await page.getByRole("button", { name: "Slett systembruker" }).click();
  await expect(page).toHaveURL("/systembrukere");
  await expect(page.getByRole("status")).toContainText("Systembrukeren er slettet");
  await expect(page.getByRole("link", { name: "Slettes snart" })).toHaveCount(0);
  await checkPage(page);

  const after = await tokenResponse(request, "altinn:authentication/systemuser.request.read", BAKERY, "e2e-delete");
  expect(after.status(), "no new token").toBe(400);
  expect(await decision(request, systemUser, BAKERY), "the token it had no longer works").not.toBe("Permit");
  // A withdrawn request is not found: the answer is a problem, whose status is 404.
  expect(await status(request, sent.id), "its request is withdrawn").toBe(404);
});

test("the bakery makes a system user of a visible system itself", async ({ page, request }) => {
  const write = await token(request, "altinn:authentication/systemregister.write");
  const res = await request.post(REGISTER, {
    headers: { Authorization: `Bearer ${write}` },
    data: {
      id: "310000000_timer",
      vendor: { authority: "iso6523-actorid-upis", ID: "0192:310000000" },
      name: { nb: "Timeføring", nn: "Timeføring", en: "Time sheets" },
      description: { nb: "Timer og fravær.", nn: "Timar og fråvær.", en: "Hours and absence." },
      rights: [{ action: "read", resource: [{ id: "urn:altinn:resource", value: "fjordby-rapportering" }] }],
      isVisible: true,
    },
  });
  expect(res.status(), await res.text()).toBe(200);
  await loginAs(page, "Bjørn Hansen");
  await chooseParty(page, "Bakeri Hansen AS");
  await page.goto("/systembrukere");
  await page.getByRole("link", { name: "Lag ny systembruker" }).click();
  await checkPage(page);
  await page.getByLabel("Velg system").selectOption({ label: "Timeføring (Regnskapsappen AS)" });
  await page.getByRole("button", { name: "Gå videre" }).click();
  await expect(page.getByText("Rapportering til Universitetet i Fjordby (lese)")).toBeVisible();
  await checkPage(page);
  await page.getByLabel("Navn på systembrukeren").fill("Timer for bakeriet");
  await page.getByRole("button", { name: "Lag systembruker" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Timer for bakeriet" })).toBeVisible();
  await checkPage(page);
  const systemUser = page.url().split("/").pop()!;
  expect(await decision(request, systemUser, BAKERY)).toBe("Permit");
  expect(await decision(request, systemUser, FISH)).not.toBe("Permit");
});

test("a change request takes a package away from a system user once the bakery approves it", async ({ page, request }) => {
  await offer(request);
  const PACKAGE = { accessPackages: [{ urn: "urn:altinn:accesspackage:regnskap-okonomi-rapport" }] };
  const sent = await ask(request, "e2e-change", PACKAGE);
  await vendorPage(page);
  await loginAs(page, "Bjørn Hansen");
  await page.goto(confirmPath(sent));
  await page.getByRole("button", { name: "Godkjenn" }).click();
  await expect(page).toHaveURL(`${VENDOR_PAGE}?ref=e2e-change`);
  expect(await decision(request, sent.id, BAKERY)).toBe("Permit");

  const write = await token(request, "altinn:authentication/systemuser.request.write");
  const res = await request.post(`/authentication/api/v1/systemuser/changerequest/vendor?correlation-id=${randomUUID()}&system-user-id=${sent.id}`, {
    headers: { Authorization: `Bearer ${write}` },
    data: { unwantedAccessPackages: PACKAGE.accessPackages },
  });
  expect(res.status(), await res.text()).toBe(201);
  const change = await res.json();
  await page.goto(confirmPath(change));
  await expect(page.getByRole("heading", { level: 1, name: "Endring av systembruker" })).toBeVisible();
  await expect(page.getByText("Regnskap og økonomirapportering", { exact: true })).toBeVisible();
  await checkPage(page);
  await page.getByRole("button", { name: "Godkjenn endringen" }).click();
  await expect(page.getByRole("status")).toContainText("Endringen er godkjent");
  await checkPage(page);
  expect(await decision(request, sent.id, BAKERY), "the package is gone").not.toBe("Permit");
});

test("the accounting firm approves an agent request without holding its packages, and the vendor learns it", async ({ page, request }) => {
  // A system for the firms' clients: a client package, so not visible (Altinn's rule).
  const system = `310000000_klienter${Date.now()}`;
  const write = await token(request, "altinn:authentication/systemregister.write");
  const registered = await request.post(REGISTER, {
    headers: { Authorization: `Bearer ${write}` },
    data: {
      id: system,
      vendor: { authority: "iso6523-actorid-upis", ID: "0192:310000000" },
      name: { nb: "Regnskapsappen Byrå", nn: "Rekneskapsappen Byrå", en: "Accounting app for firms" },
      description: { nb: "Lønn for klientene.", nn: "Løn for klientane.", en: "Payroll for clients." },
      accessPackages: [{ urn: "urn:altinn:accesspackage:regnskapsforer-lonn" }],
      allowedRedirectUrls: [VENDOR_PAGE],
      isVisible: false,
    },
  });
  expect(registered.status(), await registered.text()).toBe(200);
  const asker = await token(request, "altinn:authentication/systemuser.request.write");
  const res = await request.post(`${REQUESTS}/agent`, {
    headers: { Authorization: `Bearer ${asker}` },
    data: { systemId: system, partyOrgNo: "310100005", accessPackages: [{ urn: "urn:altinn:accesspackage:regnskapsforer-lonn" }], redirectUrl: `${VENDOR_PAGE}?ref=agent` },
  });
  expect(res.status(), await res.text()).toBe(201);
  const sent = await res.json();

  await vendorPage(page);
  await loginAs(page, "Ola Tallesen");
  await page.goto(confirmPath(sent));
  await expect(page.getByText("Systembruker for klienter", { exact: true })).toBeVisible();
  await expect(page.getByText("Regnskapsfører lønn", { exact: true })).toBeVisible();
  await expect(page.getByText("Du har ikke rett til å gi denne videre")).toHaveCount(0);
  await checkPage(page);
  await page.getByRole("button", { name: "Godkjenn" }).click();
  await expect(page).toHaveURL(`${VENDOR_PAGE}?ref=agent`);
  const read = await token(request, "altinn:authentication/systemuser.request.read");
  const seen = await (await request.get(`${REQUESTS}/agent/${sent.id}`, { headers: { Authorization: `Bearer ${read}` } })).json();
  expect(seen.status).toBe("Accepted");
});
