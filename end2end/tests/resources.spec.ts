import { test, expect, Page } from "@playwright/test";
import { chooseParty, checkPage, hydrated, loginAs } from "./helpers";

// Ada Rektor is the general manager of Universitetet i Fjordby, the demo's
// service owner (it owns "Rapportering til Universitetet i Fjordby").
async function actForUniversity(page: Page) {
  await loginAs(page, "Ada Rektor");
  await chooseParty(page, "Universitetet i Fjordby");
}

test("a service owner's access manager creates a service with one rule, sees it listed, and edits it", async ({ page }) => {
  // A fresh id each run: the demo database outlives test runs.
  const id = `e2e-${Date.now()}`;
  await actForUniversity(page);
  await page.getByRole("link", { name: "Tjenester" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Tjenester" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Rapportering til Universitetet i Fjordby" })).toBeVisible();
  await hydrated(page);
  await checkPage(page);

  await page.getByRole("link", { name: "Ny tjeneste" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Ny tjeneste" })).toBeVisible();
  await hydrated(page);
  await checkPage(page);

  // A bad id and no subject: both are reported, next to the fields and at the top.
  await page.getByLabel("Id", { exact: true }).fill("Ugyldig id");
  await page.getByLabel("Tittel (bokmål)").fill("Eksamensmelding");
  await page.getByLabel("Tittel (nynorsk)").fill("Eksamensmelding");
  await page.getByLabel("Tittel (engelsk)").fill("Exam registration");
  await page.getByRole("button", { name: "Opprett tjenesten" }).click();
  const summary = page.getByRole("alert").filter({ hasText: "Noe må rettes" });
  await expect(summary).toContainText("Id må være 2–100 tegn");
  await expect(summary).toContainText("Velg minst én tilgangspakke, rollekode eller part.");
  await expect(page.getByLabel("Id", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await checkPage(page);

  await page.getByLabel("Id", { exact: true }).fill(id);
  await page.getByLabel("Handlinger").fill("read, write");
  await page.getByText("Tilgangspakker", { exact: true }).click();
  await page.getByRole("checkbox", { name: /Merverdiavgift/ }).check();
  await page.getByLabel("Rollekoder").fill("DAGL");
  await page.getByRole("button", { name: "Opprett tjenesten" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Eksamensmelding" })).toBeVisible();
  await expect(page.getByRole("status")).toContainText("Endringene er lagret.");
  await expect(page.getByText("rule-1: Tillat – read, write")).toBeVisible();
  await expect(page.getByRole("link", { name: "Last ned policyen som XACML (XML)" })).toHaveAttribute(
    "href",
    `/resourceregistry/api/v1/resource/${id}/policy`,
  );
  await hydrated(page);
  await checkPage(page);

  // Edit the details and the rule.
  await page.getByLabel("Tittel (engelsk)").fill("Exam registration (new)");
  await page.getByRole("button", { name: "Lagre", exact: true }).click();
  await expect(page.getByLabel("Tittel (engelsk)")).toHaveValue("Exam registration (new)");
  await page.getByRole("link", { name: "Endre regel rule-1" }).click();
  await expect(page.getByRole("heading", { name: "Endre regel rule-1" })).toBeVisible();
  await hydrated(page);
  await checkPage(page);
  await page.getByLabel("Handlinger").fill("read, write, sign");
  await page.getByRole("button", { name: "Lagre regelen" }).click();
  await expect(page.getByText("rule-1: Tillat – read, write, sign")).toBeVisible();

  // The export answers with the policy as XACML.
  const xml = await page.request.get(`/resourceregistry/api/v1/resource/${id}/policy`);
  expect(xml.status()).toBe(200);
  expect(await xml.text()).toContain("urn:altinn:accesspackage");

  await page.getByRole("link", { name: "Tilbake til tjenester" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: id }).getByRole("link", { name: "Eksamensmelding" })).toBeVisible();
  await hydrated(page);
  await checkPage(page);
});

test("a party that owns no services shows an empty list", async ({ page }) => {
  await loginAs(page, "Bjørn Hansen");
  await chooseParty(page, "Bakeri Hansen AS");
  await page.goto("/tjenester");
  await hydrated(page);
  await expect(page.getByText("Denne aktøren eier ingen tjenester ennå.")).toBeVisible();
  await checkPage(page);
});

test("the new-service form works without JavaScript, errors included", async ({ page, browser }) => {
  const id = `e2e-nojs-${Date.now()}`;
  await actForUniversity(page);
  // A new context does not inherit the configured base URL.
  const noJs = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
  });
  const plain = await noJs.newPage();
  const fill = async (serviceId: string) => {
    await plain.getByLabel("Id", { exact: true }).fill(serviceId);
    await plain.getByLabel("Tittel (bokmål)").fill("Uten skript");
    await plain.getByLabel("Tittel (nynorsk)").fill("Utan skript");
    await plain.getByLabel("Tittel (engelsk)").fill("Without script");
    await plain.getByLabel("Handlinger").fill("read");
    await plain.getByLabel("Navngitte parter").fill("310400009");
  };
  await plain.goto("/tjenester/ny");
  await fill("Ugyldig id");
  await plain.getByRole("button", { name: "Opprett tjenesten" }).click();
  await expect(plain.getByRole("alert").filter({ hasText: "Noe må rettes" })).toContainText("Id må være 2–100 tegn");
  await expect(plain.getByText("Id må være 2–100 tegn").first()).toBeVisible();
  // axe needs JavaScript in the page; the same pages and error states are checked with it above.

  await fill(id);
  await plain.getByRole("button", { name: "Opprett tjenesten" }).click();
  await expect(plain.getByRole("heading", { level: 1, name: "Uten skript" })).toBeVisible();
  await expect(plain.getByRole("status")).toContainText("Endringene er lagret.");
  await expect(plain.getByText("rule-1: Tillat – read")).toBeVisible();
  await noJs.close();
});
