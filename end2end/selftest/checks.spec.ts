// Proves that each page check passes on a good page and fails on a bad one.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { test, expect } from "@playwright/test";
import {
  checkPage,
  compareOutlines,
  htmlProblems,
  nonTextContrastFailures,
  pageOutline,
  pageProblems,
  screensDir,
} from "../tests/page-checks";
import { startSite } from "./site";

let site: Awaited<ReturnType<typeof startSite>>;
test.beforeAll(async () => {
  site = await startSite();
});
test.afterAll(async () => {
  await site?.close();
});

const none = { axe: [], noJs: [], contrast: [], html: [] };

test("a good page passes every check and gets two screenshots", async ({ page }) => {
  await page.goto(`${site.url}/good.html`);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const viewport = page.viewportSize();
  await checkPage(page);
  expect(page.viewportSize(), "viewport restored").toEqual(viewport);
  const dir = screensDir(test.info());
  expect(dir).toMatch(/screens[\\/]checks-a-good-page-passes-every-check-and-gets-two-screenshots$/);
  for (const width of [1280, 375]) expect(existsSync(path.join(dir, `01-good-html-${width}.png`))).toBe(true);

  // A second page in the same test is numbered 02.
  await page.goto(`${site.url}/good.html?tab=2`);
  await checkPage(page);
  expect(existsSync(path.join(dir, "02-good-html-tab-2-375.png"))).toBe(true);
});

test("axe: a page with an unlabelled input fails", async ({ page }) => {
  await page.goto(`${site.url}/axe-bad.html`);
  expect(await pageProblems(page, { screenshots: false })).toEqual({ ...none, axe: ["label: #unlabelled"] });
  await expect(checkPage(page, { screenshots: false })).rejects.toThrow(/label: #unlabelled/);
});

test("contrast: appearance:none with no border and a transparent background fails", async ({ page }) => {
  await page.goto(`${site.url}/contrast-bare.html`);
  const failures = await nonTextContrastFailures(page);
  expect(failures).toHaveLength(1);
  expect(failures[0]).toMatch(/^#bare \(search name=q\): boundary 0\.00:1 < 3:1 against #ffffff; no border, outline, shadow or background/);
  await expect(checkPage(page, { screenshots: false })).rejects.toThrow(/contrast[\s\S]*#bare/);
});

test("contrast: a 1px #767676 border passes, a #ccc border and a pale oklch border fail", async ({ page }) => {
  await page.goto(`${site.url}/contrast-grey.html`);
  const failures = await nonTextContrastFailures(page);
  expect(failures).toEqual([
    expect.stringMatching(/^#ccc \(text name=q\): boundary 1\.61:1 < 3:1 against #ffffff; border-top #cccccc 1\.61:1/),
    expect.stringMatching(/^#pale \(select name=pale\): boundary 1\.3\d:1 < 3:1/),
  ]);
  // The good page has #767676 borders, a bottom-only oklch border, an inset box-shadow ring,
  // a dark filled field, a native and a custom checkbox, a visually hidden input and a
  // disabled pale one (exempt): nothing fails.
  await page.goto(`${site.url}/good.html`);
  expect(await nonTextContrastFailures(page)).toEqual([]);
});

test("no JavaScript: a page whose content only arrives by script fails", async ({ page }) => {
  await page.goto(`${site.url}/script-only.html`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Hvem har tilgang");
  const problems = await pageProblems(page, { screenshots: false });
  expect(problems.noJs).toEqual([
    'h1 differs: with JS ["Hvem har tilgang"], without ["Laster …"]',
    'the text of the h1 "Hvem har tilgang" is missing without JS',
    expect.stringMatching(/^h2s in <main> differ: with JS \["Gi tilgang"\], without \[\]/),
    "forms in <main>: 1 with JS, 0 without",
    expect.stringMatching(/^placeholder text without JS: "…Laster …/),
  ]);
  await expect(checkPage(page, { screenshots: false })).rejects.toThrow(/noJs/);
  // Opting out needs a reason, and then only the no-JS comparison is skipped.
  await checkPage(page, { screenshots: false, skipNoJs: "self-test of the opt-out" });
  await expect(checkPage(page, { noJs: false } as never)).rejects.toThrow(/unknown option "noJs"/);
  await expect(checkPage(page, { skipNoJs: " " })).rejects.toThrow(/needs a reason/);
});

test("no JavaScript: an out-of-order streamed chunk left unplaced fails", async ({ page }) => {
  await page.goto(`${site.url}/streamed.html`);
  await expect(page.getByRole("heading", { level: 2, name: "Gunn Gjest" })).toBeVisible();
  const problems = await pageProblems(page, { screenshots: false });
  expect(problems.noJs).toEqual([
    expect.stringMatching(/^h2s in <main> differ: with JS \["Gunn Gjest"\], without \[\]/),
    expect.stringMatching(/^placeholder text without JS: "…Hvem har tilgang Laster …/),
    'unplaced streaming chunk without JS: <template id="1-0f"> <h2>Gunn Gjest</h2>',
  ]);
  expect(problems.html).toEqual([]);
});

test("no JavaScript: the no-JS page gets the page's cookies", async ({ page, context }) => {
  await context.addCookies([{ name: "who", value: "Kari", url: site.url }]);
  await page.goto(`${site.url}/cookie`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Hei, Kari");
  expect(await pageProblems(page, { screenshots: false })).toEqual(none);
  // …and they follow changes: after logging out the no-JS page is signed out too.
  await context.clearCookies();
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Logg inn");
  expect(await pageProblems(page, { screenshots: false })).toEqual(none);
});

test("no JavaScript: a one-time message in a status region is not compared", async ({ page }) => {
  await page.goto(`${site.url}/flash.html`);
  await expect(page.getByRole("status")).toContainText("Gitt til Gunn Gjest");
  expect(await pageProblems(page, { screenshots: false })).toEqual(none);
});

test("no JavaScript: the comparison ignores alerts and status texts", async () => {
  const base = { h1: ["Tilganger"], mainH2: ["A"], mainForms: 1, mainText: "Tilganger A", bodyText: "Tilganger A", templates: [] };
  const js = { ...base, mainText: "Tilganger Gitt til Gunn Gjest. A", bodyText: "Tilganger Gitt til Gunn Gjest. A" };
  expect(compareOutlines(js, base)).toEqual([]);
  // "Laster" as a word is a placeholder; words that only contain it are not.
  expect(compareOutlines(base, { ...base, bodyText: "Plaster og Lasterom" })).toEqual([]);
  expect(compareOutlines(base, { ...base, bodyText: "Tilganger Loading…" })).toHaveLength(1);
});

test("valid HTML: a duplicated attribute fails, Leptos' markers and nonce scripts pass", async ({ page }) => {
  await page.goto(`${site.url}/dup-lang.html`);
  const problems = await pageProblems(page, { screenshots: false });
  expect(problems).toEqual({
    ...none,
    html: [expect.stringMatching(/^no-dup-attr at 1:\d+: Attribute "lang" duplicated — …<!DOCTYPE html><html lang="nb" lang="nb">/)],
  });
  await expect(checkPage(page, { screenshots: false })).rejects.toThrow(/no-dup-attr/);

  // The good page (html-validate saw it in the first test) has <!>, <!--hk=0-->, <!--[-->,
  // `<meta …/>` and inline scripts with a nonce. Other real errors are caught:
  const bad = await htmlProblems(
    '<!DOCTYPE html><html lang="nb"><head><title>x</title></head><body><main><p>a<div/></p>' +
      '<ul><li>a</li><p>b</p></ul><a id="x" href="#">1</a><a id="x" href="#">2</a>' +
      '<input type="text" autocomplete="bogus" aria-label="x"><button>b</button><p style="color:red">c</p></main></body></html>',
  );
  const rules = [...new Set(bad.map((m) => m.split(" ")[0]))].sort();
  expect(rules).toEqual([
    "close-order",
    "element-permitted-content",
    "no-dup-id",
    "no-implicit-button-type",
    "no-implicit-close",
    "no-inline-style",
    "no-self-closing",
    "valid-autocomplete",
  ]);
});

test.describe("in a test that runs with JavaScript off (as tests/nojs.spec.ts does)", () => {
  test.use({ javaScriptEnabled: false });

  test("the checks still run and still fail", async ({ page }) => {
    await page.goto(`${site.url}/good.html`);
    await checkPage(page);
    // axe cannot run in a page without JavaScript; it runs on a mirror of its DOM.
    await page.goto(`${site.url}/axe-bad.html`);
    expect(await pageProblems(page, { screenshots: false })).toEqual({ ...none, axe: ["label: #unlabelled"] });
    await page.goto(`${site.url}/contrast-bare.html`);
    expect(await pageProblems(page, { screenshots: false })).toEqual({
      ...none,
      contrast: [expect.stringMatching(/^#bare /)],
    });
    await page.goto(`${site.url}/streamed.html`);
    expect((await pageProblems(page, { screenshots: false })).noJs).toEqual([
      expect.stringMatching(/^placeholder text without JS/),
      expect.stringMatching(/^unplaced streaming chunk without JS/),
    ]);
  });
});

test("time per page of the whole check", async ({ page }) => {
  await page.goto(`${site.url}/good.html`);
  await checkPage(page); // warm: no-JS context, html-validate, axe injection
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    await page.goto(`${site.url}/good.html?run=${i}`);
    const t0 = Date.now();
    await checkPage(page);
    runs.push(Date.now() - t0);
  }
  const noShots: number[] = [];
  for (let i = 0; i < 2; i++) {
    const t0 = Date.now();
    await checkPage(page, { screenshots: false });
    noShots.push(Date.now() - t0);
  }
  console.log(`checkPage on good.html: ${runs.join(", ")} ms; without screenshots: ${noShots.join(", ")} ms`);
  test.info().annotations.push({ type: "timing", description: `${runs.join(", ")} ms` });
  expect(Math.max(...runs)).toBeLessThan(5_000);
});
