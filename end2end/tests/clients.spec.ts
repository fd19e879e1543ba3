// Client administration end to end (scenario S3 in Chromium, over the real
// APIs and token service): the vendor asks the accounting firm for an agent
// system user that requires "Regnskap og økonomirapportering"; the firm's
// manager approves it; the firm's clients are registered (REGN) but do not
// give that package, and the page says so; the bakery's manager grants the
// firm the package in the portal; the firm attaches the bakery and its own
// organisation; the PDP permits the system user for the bakery and denies it
// for a client not attached; the bakery sees the firm and its system user
// on its client relationships and revokes the grant from there, and the
// client is gone from the system user at once.
import { test, expect, Browser, Page } from "@playwright/test";
import { checkPage, chooseParty, hydrated, loginAs } from "./helpers";
import { generateKeyPairSync } from "crypto";
import { agentRequest, claims, decision, Signer, token } from "./vendor";

const REGISTER = "/authentication/api/v1/systemregister/vendor";
const REQUESTS = "/authentication/api/v1/systemuser/request/vendor";
const FIRM = "310100005";
const BAKERY = "310400009";
const FISH = "310600008";
const PACKAGE = "Regnskap og økonomirapportering";

/**
 * The university (the demo's service owner) publishes a service `id` whose
 * one rule permits `actions` to holders of `pkg`, through the resource
 * registry API with Ada's portal session.
 */
async function publish(browser: Browser, id: string, title: string, resourceType: string, pkg: string, actions: string[]) {
  const ada = await (await browser.newContext()).newPage();
  await loginAs(ada, "Ada Rektor");
  await chooseParty(ada, "Universitetet i Fjordby");
  const created = await ada.request.post("/resourceregistry/api/v1/resource", {
    headers: { Origin: test.info().project.use.baseURL! },
    data: {
      identifier: id,
      title: { nb: title, nn: title, en: title },
      description: `${title}.`,
      resourceType,
      delegable: true,
      hasCompetentAuthority: { organization: "310700002" },
      status: "Completed",
      policy: {
        combining: "deny-overrides",
        rules: [{ id: "klient", effect: "Permit", actions, subjects: [[{ attribute: "urn:altinn:accesspackage", value: pkg, ignore_case: true }]] }],
      },
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  await ada.context().close();
}

/**
 * A new API client of the vendor, with its own key and scope `scope`,
 * registered by the vendor's manager on /api-klienter: a client id can serve
 * one system only, and the demo's is taken.
 */
async function vendorApiClient(browser: Browser, name: string, scope: string): Promise<Signer> {
  const kari = await (await browser.newContext()).newPage();
  await loginAs(kari, "Kari Nordmann");
  await chooseParty(kari, "Regnskapsappen AS");
  await kari.goto("/api-klienter");
  await hydrated(kari);
  await kari.getByLabel("Visningsnavn").fill(name);
  await kari.getByLabel("Scopes", { exact: true }).fill(scope);
  await kari.getByRole("button", { name: "Registrer klient" }).click();
  const card = kari.getByRole("listitem").filter({ has: kari.getByRole("heading", { level: 2, name }) });
  await expect(card).toBeVisible();
  const clientId = (await card.locator("code").first().textContent())!.trim();
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  await card.getByText("Legg til nøkkel", { exact: true }).click();
  await card.getByLabel("Offentlig nøkkel (JWK eller PEM)").fill(JSON.stringify({ ...publicKey.export({ format: "jwk" }), kid: "mva-1" }));
  await card.getByRole("button", { name: "Lagre nøkkel" }).click();
  await expect(kari.getByRole("status").filter({ hasText: "Nøkkelen er lagt til" })).toBeVisible();
  await kari.context().close();
  return { clientId, kid: "mva-1", key: privateKey };
}

async function bakeryManager(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await loginAs(page, "Bjørn Hansen");
  await chooseParty(page, "Bakeri Hansen AS");
  return page;
}

test("a firm attaches a client that granted it a package, the PDP permits for that client alone, and revoking the grant removes it", async ({ page, request, browser }) => {
  const system = `310000000_byra${Date.now()}`;
  const write = await token(request, "altinn:authentication/systemregister.write");
  const registered = await request.post(REGISTER, {
    headers: { Authorization: `Bearer ${write}` },
    data: {
      id: system,
      vendor: { authority: "iso6523-actorid-upis", ID: "0192:310000000" },
      name: { nb: "Rapportering Byrå", nn: "Rapportering Byrå", en: "Reporting for firms" },
      description: { nb: "Rapporter for klientene.", nn: "Rapportar for klientane.", en: "Reports for clients." },
      accessPackages: [{ urn: "urn:altinn:accesspackage:regnskap-okonomi-rapport" }],
      isVisible: false,
    },
  });
  expect(registered.status(), await registered.text()).toBe(200);
  const asker = await token(request, "altinn:authentication/systemuser.request.write");
  const res = await request.post(`${REQUESTS}/agent`, {
    headers: { Authorization: `Bearer ${asker}` },
    data: { systemId: system, partyOrgNo: FIRM, accessPackages: [{ urn: "urn:altinn:accesspackage:regnskap-okonomi-rapport" }] },
  });
  expect(res.status(), await res.text()).toBe(201);
  const sent = await res.json();
  const agent: string = sent.id;

  await loginAs(page, "Ola Tallesen");
  await page.goto(new URL(sent.confirmUrl).pathname + new URL(sent.confirmUrl).search);
  await page.getByRole("button", { name: "Godkjenn" }).click();

  // The firm's client list: both registered clients lack the package.
  await chooseParty(page, "Tall og Tro Regnskap AS");
  await page.goto("/klienter");
  await expect(page.getByRole("heading", { level: 1, name: "Klienter" })).toBeVisible();
  await checkPage(page);
  await page.getByRole("link", { name: "Rapportering Byrå" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Rapportering Byrå" })).toBeVisible();
  const bakeryRow = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /Bakeri Hansen AS/ }) });
  await expect(bakeryRow.getByText(`Mangler: ${PACKAGE}`)).toBeVisible();
  await expect(bakeryRow.getByText("Kan ikke legges til")).toBeVisible();
  await hydrated(page);
  await checkPage(page);

  // The firm's own organisation can be attached: the package is assignable in it.
  await page.getByRole("button", { name: "Legg til: Tall og Tro Regnskap AS" }).click();
  await expect(page.getByRole("status")).toContainText("Tall og Tro Regnskap AS er lagt til systembrukeren.");
  expect(await decision(request, agent, FIRM)).toBe("Permit");

  // The bakery grants the firm the package in the portal (S3).
  const bjorn = await bakeryManager(browser);
  await bjorn.goto("/tilganger");
  await hydrated(bjorn);
  await bjorn.getByRole("checkbox", { name: PACKAGE, exact: true }).check();
  await bjorn.getByRole("radio", { name: "En virksomhet" }).check();
  await bjorn.getByLabel("Organisasjonsnummer til mottakeren").fill(FIRM);
  await bjorn.getByRole("button", { name: "Gi tilgang" }).click();
  await expect(bjorn.getByRole("status")).toContainText(`Gitt til Tall og Tro Regnskap AS: ${PACKAGE}.`);

  // Now the bakery is offered; the firm attaches it.
  await page.reload();
  await hydrated(page);
  await expect(bakeryRow.getByText(`${PACKAGE} (gitt av klienten)`)).toBeVisible();
  await page.getByRole("button", { name: "Legg til: Bakeri Hansen AS" }).click();
  await expect(page.getByRole("status")).toContainText("Bakeri Hansen AS er lagt til systembrukeren.");
  await expect(bakeryRow.getByText("Lagt til", { exact: true })).toBeVisible();
  await checkPage(page);
  expect(await decision(request, agent, BAKERY)).toBe("Permit");
  expect(await decision(request, agent, FISH), "a client not attached").not.toBe("Permit");

  // The filter hides attached clients, as a plain GET form.
  await page.getByLabel("Skjul klienter som er lagt til").check();
  await page.getByRole("button", { name: "Søk", exact: true }).click();
  await expect(page.getByRole("rowheader", { name: /Bakeri Hansen AS/ })).toHaveCount(0);
  await expect(page.getByRole("rowheader", { name: /Kystfisk AS/ })).toBeVisible();
  await checkPage(page);

  // The bakery sees the firm's system user acting for it, on "who has
  // access" and on its client relationships, and revokes the grant from there.
  await bjorn.goto("/tilganger");
  await expect(bjorn.getByText("klientdelegert fra Tall og Tro Regnskap AS").first()).toBeVisible();
  await checkPage(bjorn);
  await bjorn.goto("/klientforhold");
  await expect(bjorn.getByRole("heading", { level: 1, name: "Klientforhold" })).toBeVisible();
  const firm = bjorn.locator("section[data-firm]").filter({ has: bjorn.getByRole("heading", { level: 2, name: /Tall og Tro Regnskap AS/ }) });
  await expect(firm.getByText("Rolle i Enhetsregisteret: Regnskapsfører")).toBeVisible();
  await expect(firm.getByRole("listitem").filter({ hasText: "Rapportering Byrå" })).toContainText(PACKAGE);
  await checkPage(bjorn);
  await firm.getByRole("link", { name: `Fjern ${PACKAGE} – Tall og Tro Regnskap AS` }).click();
  await hydrated(bjorn);
  await bjorn.getByRole("button", { name: "Ja, fjern tilgangen" }).click();
  await expect(bjorn.getByRole("link", { name: `Fjern ${PACKAGE} – Tall og Tro Regnskap AS` })).toHaveCount(0);
  expect(await decision(request, agent, BAKERY), "the client is gone from the system user").not.toBe("Permit");
  await page.goto(`/klienter/${agent}`);
  await expect(bakeryRow.getByText("Ikke lagt til", { exact: true })).toBeVisible();
  await expect(bakeryRow.getByText(`Mangler: ${PACKAGE}`)).toBeVisible();
});

// S9, beyond Altinn: the vendor asks the accounting firm for an agent system
// user that requires a single right (read on the university's reporting
// service) instead of a package; the firm's manager approves it; the
// bakery's manager gives the firm exactly that right on its own page; the
// firm attaches the bakery, and the PDP permits the system user for the
// bakery and not for the client that gave nothing.
test("S9: a client gives the firm a single right in the portal and the firm's agent acts on it for that client alone", async ({ page, request, browser }) => {
  const system = `310000000_rett${Date.now()}`;
  const right = { resource: [{ id: "urn:altinn:resource", value: "fjordby-rapportering" }], action: "read" };
  const write = await token(request, "altinn:authentication/systemregister.write");
  const registered = await request.post(REGISTER, {
    headers: { Authorization: `Bearer ${write}` },
    data: {
      id: system,
      vendor: { authority: "iso6523-actorid-upis", ID: "0192:310000000" },
      name: { nb: "Rapport med enkeltrett", nn: "Rapport med enkeltrett", en: "Report by single right" },
      description: { nb: "Rapporter for klientene.", nn: "Rapportar for klientane.", en: "Reports for clients." },
      rights: [right],
      isVisible: false,
    },
  });
  expect(registered.status(), await registered.text()).toBe(200);
  const asker = await token(request, "altinn:authentication/systemuser.request.write");
  const res = await request.post(`${REQUESTS}/agent`, {
    headers: { Authorization: `Bearer ${asker}` },
    data: { systemId: system, partyOrgNo: FIRM, rights: [right] },
  });
  expect(res.status(), await res.text()).toBe(201);
  const sent = await res.json();
  const agent: string = sent.id;
  await loginAs(page, "Ola Tallesen");
  await page.goto(new URL(sent.confirmUrl).pathname + new URL(sent.confirmUrl).search);
  await page.getByRole("button", { name: "Godkjenn" }).click();
  await chooseParty(page, "Tall og Tro Regnskap AS");
  await page.goto(`/klienter/${agent}`);
  const bakeryRow = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /Bakeri Hansen AS/ }) });
  await expect(bakeryRow.getByText("Mangler: Rapportering til Universitetet i Fjordby (lese)")).toBeVisible();

  // The bakery's manager gives the firm the single right, a wrong number first.
  const bjorn = await bakeryManager(browser);
  await bjorn.goto("/tilganger");
  await bjorn.getByRole("link", { name: "Gi en enkeltrettighet til en person eller virksomhet" }).click();
  await expect(bjorn.getByRole("heading", { level: 1, name: "Gi en enkeltrettighet" })).toBeVisible();
  await hydrated(bjorn);
  await checkPage(bjorn);
  await bjorn.getByLabel("Enkeltrettighet").selectOption({ label: "Rapportering til Universitetet i Fjordby (lese)" });
  await bjorn.getByRole("radio", { name: "En virksomhet" }).check();
  await bjorn.getByLabel("Organisasjonsnummer til mottakeren").fill("12");
  await bjorn.getByRole("button", { name: "Gi enkeltrettighet" }).click();
  await expect(bjorn.getByLabel("Organisasjonsnummer til mottakeren")).toHaveAttribute("aria-invalid", "true");
  await bjorn.getByLabel("Organisasjonsnummer til mottakeren").fill(FIRM);
  await bjorn.getByRole("button", { name: "Gi enkeltrettighet" }).click();
  await expect(bjorn.getByRole("status")).toContainText("Gitt til Tall og Tro Regnskap AS: Rapportering til Universitetet i Fjordby (lese).");
  await checkPage(bjorn);

  // The firm attaches the bakery; the PDP permits for it alone.
  await page.reload();
  await hydrated(page);
  await expect(bakeryRow.getByText("Rapportering til Universitetet i Fjordby (lese) (gitt av klienten)")).toBeVisible();
  await page.getByRole("button", { name: "Legg til: Bakeri Hansen AS" }).click();
  await expect(page.getByRole("status")).toContainText("Bakeri Hansen AS er lagt til systembrukeren.");
  await checkPage(page);
  expect(await decision(request, agent, BAKERY)).toBe("Permit");
  expect(await decision(request, agent, FISH), "a client that gave nothing").not.toBe("Permit");

  // The bakery sees the firm's system user acting for it by that right.
  await bjorn.goto("/klientforhold");
  const firm = bjorn.locator("section[data-firm]").filter({ has: bjorn.getByRole("heading", { level: 2, name: /Tall og Tro Regnskap AS/ }) });
  await expect(firm.getByRole("listitem").filter({ hasText: "Rapport med enkeltrett" })).toContainText("Rapportering til Universitetet i Fjordby (lese)");
});

// Persons as agents: the firm's client administrator gives one of the
// firm's people (Rita, on its board) a client's package, the client sees
// that person among the firm's agents, and the administrator takes it
// back. Gunn, who is not one of the firm's people, is refused.
test("a client administrator gives a person a client's package, the client sees the person, and it is taken back", async ({ page, browser }) => {
  await loginAs(page, "Ola Tallesen");
  await chooseParty(page, "Tall og Tro Regnskap AS");
  await page.goto("/klienter");
  await page.getByRole("link", { name: "Gi personer i virksomheten tilgang til klienter" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Personer med tilgang til klienter" })).toBeVisible();
  await hydrated(page);
  await checkPage(page);

  await page.getByLabel("Klientens organisasjonsnummer").fill(BAKERY);
  await page.getByRole("button", { name: "Vis tilgangspakker" }).click();
  await expect(page.getByText("Bakeri Hansen AS (Org.nr. 310400009)")).toBeVisible();
  await hydrated(page);
  await checkPage(page);
  await page.getByRole("checkbox", { name: "Regnskapsfører lønn", exact: true }).check();
  await page.getByLabel("Fødselsnummer").fill("17889210079");
  await page.getByLabel("Etternavn").fill("Feil");
  await page.getByRole("button", { name: "Gi tilgang" }).click();
  await expect(page.locator("#person-nin-error")).toContainText("Vi fant ingen person");
  await checkPage(page);
  await page.getByLabel("Fødselsnummer").fill("11839110083");
  await page.getByLabel("Etternavn").fill("Gjest");
  await page.getByRole("button", { name: "Gi tilgang" }).click();
  await expect(page.locator("#person-nin-error")).toContainText("Personen har ingen rolle eller tilgang i virksomheten");
  await page.getByLabel("Fødselsnummer").fill("17889210079");
  await page.getByLabel("Etternavn").fill("Regnskap");
  await page.getByRole("button", { name: "Gi tilgang" }).click();
  await expect(page.getByRole("status")).toContainText("Rita Regnskap har fått tilgang til Bakeri Hansen AS.");
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Rita Regnskap" }) });
  await expect(row).toContainText("Regnskapsfører lønn");
  await checkPage(page);

  const bjorn = await bakeryManager(browser);
  await bjorn.goto("/klientforhold");
  const firm = bjorn.locator("section").filter({ has: bjorn.getByRole("heading", { name: /Tall og Tro Regnskap AS/ }) });
  await expect(firm.getByText("Rita Regnskap")).toBeVisible();
  await expect(firm.getByText(/Person som virksomheten har gitt tilgang/)).toBeVisible();
  await checkPage(bjorn);

  await row.getByRole("button", { name: "Fjern tilgang: Rita Regnskap, Bakeri Hansen AS" }).click();
  await expect(page.getByRole("status")).toContainText("Tilgangen er fjernet.");
  await expect(page.getByText("Ingen personer har fått tilgang til klienter ennå.")).toBeVisible();
});

// S2 in Chromium: the business manager (FFØR) attaches the housing
// co-operative to an agent system user that requires "Forretningsforer
// eiendom"; a company it is also registered for is a client but gives no
// such package, the page says so and attaching it is refused; the PDP
// permits the system user for the co-operative alone.
test("S2: a business manager attaches a housing co-operative, a company is refused, and the PDP permits for the co-operative alone", async ({ page, request, browser }) => {
  const COOP = "310500003";
  const COMPANY = "311100009";
  const resource = `e2e-fellesutgifter-${Date.now()}`;
  // The university publishes a service that business managers may read.
  await publish(browser, resource, "Fellesutgifter", "GenericAccessResource", "forretningsforer-eiendom", ["read"]);
  const base = test.info().project.use.baseURL!;

  const sent = await agentRequest(request, `310000000_forvalt${Date.now()}`, "Forvaltning Byrå", "310300004", ["forretningsforer-eiendom"]);
  await loginAs(page, "Fredrik Forvalter");
  await page.goto(new URL(sent.confirmUrl).pathname + new URL(sent.confirmUrl).search);
  await page.getByRole("button", { name: "Godkjenn" }).click();
  await chooseParty(page, "Boligforvaltning Vest AS");
  await page.goto(`/klienter/${sent.id}`);
  await expect(page.getByRole("heading", { level: 1, name: "Forvaltning Byrå" })).toBeVisible();
  const company = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: /Sjøgata Næringsbygg AS/ }) });
  await expect(company.getByText("Mangler: Forretningsforer eiendom")).toBeVisible();
  await expect(company.getByText("Kan ikke legges til")).toBeVisible();
  await hydrated(page);
  await checkPage(page);

  // Attaching the company anyway (as a crafted post would) is refused and changes nothing.
  const companyId = await company.getAttribute("data-client");
  const refused = await page.request.post("/api/attach_client", { headers: { Origin: base }, form: { agent: sent.id, client: companyId! } });
  expect(refused.ok()).toBe(false);
  expect(await refused.text()).toContain("client_admin.missing_packages");

  await page.getByRole("button", { name: "Legg til: Fjordutsikt Borettslag" }).click();
  await expect(page.getByRole("status")).toContainText("Fjordutsikt Borettslag er lagt til systembrukeren.");
  await checkPage(page);
  expect(await decision(request, sent.id, COOP, resource)).toBe("Permit");
  expect(await decision(request, sent.id, COMPANY, resource), "the company is not attached").not.toBe("Permit");
});

// S1 and S5 in Chromium, over the real APIs and token service: the firm is
// the bakery's registered accountant (REGN). The vendor asks it for an agent
// system user with "Regnskapsforer med signeringsrettighet"; Ola approves and
// attaches the bakery; the system gets a token naming the firm; the PDP
// permits it to file the bakery's VAT return (S1) and read the bakery's
// messages (S5), and neither for the fishing company, not attached.
test("S1 and S5: a registered accountant's agent files a client's VAT return and reads its messages, for that client alone", async ({ page, request, browser }) => {
  const stamp = Date.now();
  const vat = `e2e-mva-${stamp}`;
  const inbox = `e2e-meldinger-${stamp}`;
  const PKG = "regnskapsforer-med-signeringsrettighet";
  await publish(browser, vat, "MVA-melding", "GenericAccessResource", PKG, ["read", "write"]);
  await publish(browser, inbox, "Meldinger fra Skatteetaten", "CorrespondenceService", PKG, ["read"]);

  const ref = `e2e-s1-${stamp}`;
  const installation = await vendorApiClient(browser, `MVA Byrå ${stamp}`, "regnskap:mva.write");
  const sent = await agentRequest(request, `310000000_mva${stamp}`, "MVA Byrå", FIRM, [PKG], { externalRef: ref, clientId: installation.clientId });
  await loginAs(page, "Ola Tallesen");
  await page.goto(new URL(sent.confirmUrl).pathname + new URL(sent.confirmUrl).search);
  await page.getByRole("button", { name: "Godkjenn" }).click();
  await chooseParty(page, "Tall og Tro Regnskap AS");
  await page.goto(`/klienter/${sent.id}`);
  await expect(page.getByRole("heading", { level: 1, name: "MVA Byrå" })).toBeVisible();
  await hydrated(page);
  await checkPage(page);
  expect(await decision(request, sent.id, BAKERY, vat, "write"), "nothing before a client is attached").not.toBe("Permit");
  await page.getByRole("button", { name: "Legg til: Bakeri Hansen AS" }).click();
  await expect(page.getByRole("status")).toContainText("Bakeri Hansen AS er lagt til systembrukeren.");
  await checkPage(page);

  // The system's token names the firm and the system user.
  const details = claims(await token(request, "regnskap:mva.write", FIRM, ref, installation)).authorization_details[0];
  expect(details.systemuser_org.ID).toBe(`0192:${FIRM}`);
  expect(details.systemuser_id[0]).toBe(sent.id);

  expect(await decision(request, sent.id, BAKERY, vat, "write"), "S1: files the VAT return").toBe("Permit");
  expect(await decision(request, sent.id, BAKERY, inbox, "read"), "S5: reads the messages").toBe("Permit");
  expect(await decision(request, sent.id, FISH, vat, "write"), "a client not attached").not.toBe("Permit");
  expect(await decision(request, sent.id, FISH, inbox, "read"), "a client not attached").not.toBe("Permit");
});
