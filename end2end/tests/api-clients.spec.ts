import { test, expect } from "@playwright/test";
import { generateKeyPairSync } from "node:crypto";
import { chooseParty, checkPage, hydrated, loginAs } from "./helpers";

test("an access manager registers an API client, adds a key and revokes it", async ({ page }) => {
  await loginAs(page, "Bjørn Hansen");
  await chooseParty(page, "Bakeri Hansen AS");

  // The front page links to the page. (/klienter, once a redirect here, is now
  // the client administration of agent system users: clients.spec.ts.)
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "API-klienter og nøkler" }).click();
  await expect(page).toHaveURL(/\/api-klienter$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "API-klienter" })).toBeVisible();
  await checkPage(page);

  // A scope only the operator may give is refused, readably.
  await page.getByLabel("Visningsnavn").fill("Kassesystemet");
  await page.getByLabel("Scopes", { exact: true }).fill("altinn:authorization/authorize");
  await page.getByRole("button", { name: "Registrer klient" }).click();
  await expect(page.getByRole("alert")).toContainText("kan bare gis av driftsoperatøren");

  await page.getByLabel("Scopes", { exact: true }).fill("bakeri:kasse.read");
  await page.getByRole("button", { name: "Registrer klient" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Klienten er registrert" })).toBeVisible();
  const card = page.getByRole("listitem").filter({ has: page.getByRole("heading", { level: 2, name: "Kassesystemet" }) });
  await expect(card.getByText("bakeri:kasse.read")).toBeVisible();
  await expect(card.getByText("Klienten har ingen nøkler")).toBeVisible();

  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "kasse-2026" };
  await card.getByText("Legg til nøkkel", { exact: true }).click();
  await card.getByLabel("Offentlig nøkkel (JWK eller PEM)").fill(JSON.stringify(jwk));
  await card.getByRole("button", { name: "Lagre nøkkel" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Nøkkelen er lagt til" })).toBeVisible();
  const row = card.getByRole("row").filter({ hasText: "kasse-2026" });
  await expect(row).toContainText("EC P-256");
  await expect(row).toContainText("aldri");
  await expect(row).toContainText("I bruk");
  await checkPage(page);

  await card.getByRole("button", { name: "Trekk tilbake kasse-2026 – Kassesystemet" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Nøkkelen er trukket tilbake" })).toBeVisible();
  await expect(card.getByRole("row").filter({ hasText: "kasse-2026" })).toContainText("Trukket tilbake");
});
