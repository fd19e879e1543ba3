// One check for every page a test visits: `checkPage(page)`.
//
// It runs, and reports together:
//  (a) axe-core: no violations;
//  (b) no JavaScript: the same URL, with the same cookies, in a context with JavaScript off
//      shows the same h1, the same h2s in <main> and the same number of forms in <main>, no
//      "Laster"/"Loading"/"Lastar" placeholder and no unplaced streaming <template>;
//  (c) non-text contrast (WCAG 2.1 SC 1.4.11) of the boundary of every visible form control;
//  (d) valid HTML: the served HTML (the bytes the no-JS browser got) against html-validate,
//      configured in end2end/.htmlvalidate.json;
//  (e) full-page screenshots at 1280 px and 375 px under <outputDir>/screens/.
//
// Every check is also exported on its own as a function that returns a list of problems,
// which is what the self-test in end2end/selftest/ uses to prove that each one can fail.
//
// It works in tests that run with JavaScript off too (tests/nojs.spec.ts): axe then runs on
// a mirror of the page's DOM (see axeViolations). Environment: PAGE_CHECK_TIMING=1 logs the
// time of each check; PAGE_CHECK_SCREENSHOTS=0 turns the screenshots off.
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import * as path from "node:path";
import { expect, test, type Browser, type BrowserContext, type Page, type TestInfo } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { HtmlValidate, StaticConfigLoader, type ConfigData } from "html-validate";

export interface CheckPageOptions {
  /**
   * Skip the no-JavaScript comparison for this page, and say why (a non-empty reason).
   * There is deliberately no `noJs: false`: skipping must be explained where it is done.
   */
  skipNoJs?: string;
  /** Take the two screenshots (default true; `PAGE_CHECK_SCREENSHOTS=0` turns them off everywhere). */
  screenshots?: boolean;
}

/** What one run of the checks found, by check; empty lists mean the check passed. */
export interface PageProblems {
  axe: string[];
  noJs: string[];
  contrast: string[];
  html: string[];
}

const KNOWN_OPTIONS = new Set(["skipNoJs", "screenshots"]);

/**
 * Runs every page check on the page as it is now and fails the test, naming every problem of
 * every check, if any finds one. Call it on every page a test visits.
 */
export async function checkPage(page: Page, options: CheckPageOptions = {}): Promise<void> {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new Error(
        `checkPage: unknown option "${key}". To skip the no-JavaScript check give a reason: { skipNoJs: "why" }`,
      );
    }
  }
  if (options.skipNoJs !== undefined && !(typeof options.skipNoJs === "string" && options.skipNoJs.trim())) {
    throw new Error('checkPage: skipNoJs needs a reason, e.g. { skipNoJs: "shows the result of a POST" }');
  }
  const url = page.url();
  await test.step(`checkPage ${url}`, async () => {
    const problems = await pageProblems(page, options);
    const found = Object.fromEntries(Object.entries(problems).filter(([, list]) => list.length > 0));
    expect(found, `page checks of ${url}`).toEqual({});
  }, { box: true });
}

/** @deprecated the axe check is one part of {@link checkPage}; use that. */
export const expectNoAxeViolations = (page: Page, options?: CheckPageOptions) => checkPage(page, options);

/** Runs the checks and returns their problems, without asserting. */
export async function pageProblems(page: Page, options: CheckPageOptions = {}): Promise<PageProblems> {
  const url = page.url();
  if (!/^https?:/.test(url)) throw new Error(`checkPage: the page is at ${url}, not at an http(s) URL`);
  const timing = process.env.PAGE_CHECK_TIMING === "1";
  const t0 = Date.now();
  const took: Record<string, number> = {};
  const timed = <T>(name: string, p: Promise<T>) => p.finally(() => (took[name] = Date.now() - t0));

  // The no-JS page loads in its own context, in parallel with the checks on this page.
  const served = timed("nojs+html", servedPage(page, url, options.skipNoJs === undefined));
  served.catch(() => {}); // awaited below; keeps an early failure from being "unhandled"

  const axe = await timed("axe", axeViolations(page));
  const contrast = await timed("contrast", nonTextContrastFailures(page));
  if (options.screenshots ?? process.env.PAGE_CHECK_SCREENSHOTS !== "0") {
    await timed("screens", takeScreenshots(page, test.info()));
  }
  const { noJs, html } = await served;
  if (timing) console.log(`checkPage ${url}: ${Date.now() - t0} ms (ends after start: ${JSON.stringify(took)})`);
  return { axe, noJs, contrast, html };
}

// ---------------------------------------------------------------------------------------
// (a) axe-core

/**
 * axe-core's violations on the page. axe needs the page's JavaScript (its run awaits timers),
 * so on a page whose context has JavaScript off (tests/nojs.spec.ts) it runs on a mirror: the
 * page's current DOM served at the same URL into a context with JavaScript on, the CSS
 * loaded, and every page script blocked by a `script-src 'none'` policy.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (await scriptsRun(page)) return violationsOf(page);
  const mirror = await axeMirror(page);
  try {
    return await violationsOf(mirror);
  } finally {
    await mirror.context().close();
  }
}

async function violationsOf(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Whether the page runs script callbacks (false in a context with `javaScriptEnabled: false`). */
export async function scriptsRun(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    let ran = false;
    try {
      const t = new EventTarget();
      t.addEventListener("x", () => (ran = true));
      t.dispatchEvent(new Event("x"));
    } catch {
      return false;
    }
    return ran;
  });
}

/**
 * A copy of the page's current DOM, at the same URL, in a new context with JavaScript on and
 * every page script blocked. The caller closes its context. Contexts made by the checks live
 * only as long as one check: a context left open past its test is still known to Playwright's
 * tracing, which then fails the next test before it starts ("context … has been closed").
 */
async function axeMirror(page: Page): Promise<Page> {
  const browser = page.context().browser();
  if (!browser) throw new Error("checkPage: the page's context has no browser (persistent context?)");
  const html = await page.content();
  const url = page.url();
  // Explicitly on: inside a test, newContext() starts from the test's `use` options.
  const c = await browser.newContext({ javaScriptEnabled: true, viewport: page.viewportSize() ?? undefined });
  await c.route("**/*", (route) => {
    const req = route.request();
    if (req.isNavigationRequest() && stripHash(req.url()) === stripHash(url)) {
      return route.fulfill({
        status: 200,
        contentType: "text/html; charset=utf-8",
        headers: { "content-security-policy": "script-src 'none'" },
        body: html,
      });
    }
    return req.resourceType() === "script" ? route.abort() : route.continue();
  });
  const mirror = await c.newPage();
  await mirror.goto(url, { waitUntil: "load" });
  return mirror;
}

// ---------------------------------------------------------------------------------------
// (b) the page without JavaScript, and (d) its served HTML

/** What the no-JS comparison looks at, read from a page. */
export interface PageOutline {
  h1: string[];
  mainH2: string[];
  mainForms: number;
  mainText: string;
  bodyText: string;
  templates: string[];
}

/** Reads the outline of a page (runs in the browser; works with JavaScript off too). */
export async function pageOutline(page: Page): Promise<PageOutline> {
  // Evaluated by Playwright even where the page's own scripts are disabled.
  return page.evaluate(() => {
    const norm = (s: string | null) => (s ?? "").replace(/\s+/g, " ").trim();
    /** The text a reader gets: the text nodes, except inside script, style and template. */
    // (No TreeWalker filter: a callback cannot run in a page with JavaScript off.)
    const text = (root: Element | null, sep: string) => {
      const parts: string[] = [];
      const walk = (n: Node) => {
        if (n.nodeType === Node.TEXT_NODE) parts.push(n.nodeValue ?? "");
        else if (n.nodeType === Node.ELEMENT_NODE && !/^(SCRIPT|STYLE|TEMPLATE)$/.test((n as Element).tagName)) {
          n.childNodes.forEach(walk);
        }
      };
      if (root) walk(root);
      return norm(parts.join(sep));
    };
    const main = document.querySelector("main");
    // A one-time message (after a form post) may legitimately be missing on a second GET.
    const notMessage = (e: Element) => !e.closest('[role="alert"], [role="status"], [aria-live], output');
    return {
      h1: [...document.querySelectorAll("h1")].map((h) => norm(h.textContent)),
      mainH2: main ? [...main.querySelectorAll("h2")].filter(notMessage).map((h) => norm(h.textContent)).sort() : [],
      mainForms: main ? [...main.querySelectorAll("form")].filter(notMessage).length : 0,
      mainText: text(main, ""), // as textContent joins, so an h1's text is found in it
      bodyText: text(document.body, " "), // words of separate nodes kept apart
      // Out-of-order streaming sends each resolved <Suspense> as `<template id=…>` plus a
      // script that moves it into place; without JavaScript it stays where it arrived.
      templates: [...document.querySelectorAll("body template")].map(
        (t) => `<template${t.id ? ` id="${t.id}"` : ""}> ${norm(t.innerHTML).slice(0, 80)}`,
      ),
    };
  });
}

const PLACEHOLDER = /(^|[^\p{L}])(laster|loading|lastar)(?=[^\p{L}]|$)/iu;

/** Differences between the page with JavaScript (as it is now) and without it. */
export function compareOutlines(js: PageOutline, nojs: PageOutline): string[] {
  const problems: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(js.h1, nojs.h1)) problems.push(`h1 differs: with JS ${JSON.stringify(js.h1)}, without ${JSON.stringify(nojs.h1)}`);
  for (const h of js.h1) {
    if (h && !nojs.mainText.includes(h) && !nojs.bodyText.includes(h)) problems.push(`the text of the h1 "${h}" is missing without JS`);
  }
  if (!same(js.mainH2, nojs.mainH2)) {
    const missing = js.mainH2.filter((h) => !nojs.mainH2.includes(h));
    const extra = nojs.mainH2.filter((h) => !js.mainH2.includes(h));
    problems.push(
      `h2s in <main> differ: with JS ${JSON.stringify(js.mainH2)}, without ${JSON.stringify(nojs.mainH2)}` +
        (missing.length || extra.length ? ` (missing without JS: ${JSON.stringify(missing)}, only without JS: ${JSON.stringify(extra)})` : ""),
    );
  }
  if (js.mainForms !== nojs.mainForms) problems.push(`forms in <main>: ${js.mainForms} with JS, ${nojs.mainForms} without`);
  const placeholder = PLACEHOLDER.exec(nojs.bodyText);
  if (placeholder) {
    const at = placeholder.index;
    problems.push(`placeholder text without JS: "…${nojs.bodyText.slice(Math.max(0, at - 30), at + 50)}…"`);
  }
  for (const t of nojs.templates) problems.push(`unplaced streaming chunk without JS: ${t}`);
  return problems;
}

/** A new context with JavaScript off that fetches documents only; the caller closes it. */
async function noJsContext(page: Page): Promise<BrowserContext> {
  const browser: Browser | null = page.context().browser();
  if (!browser) throw new Error("checkPage: the page's context has no browser (persistent context?)");
  const c = await browser.newContext({ javaScriptEnabled: false, viewport: page.viewportSize() ?? undefined });
  // Only the document matters; the WASM, scripts, CSS and images are not fetched.
  await c.route("**/*", (route) => (route.request().resourceType() === "document" ? route.continue() : route.abort()));
  return c;
}

/** Loads the URL without JavaScript; returns the no-JS problems and the HTML problems. */
async function servedPage(page: Page, url: string, compare: boolean): Promise<{ noJs: string[]; html: string[] }> {
  const context = await noJsContext(page);
  try {
    return await servedIn(context, page, url, compare);
  } finally {
    await context.close();
  }
}

async function servedIn(context: BrowserContext, page: Page, url: string, compare: boolean): Promise<{ noJs: string[]; html: string[] }> {
  const cookies = await page.context().cookies();
  if (cookies.length) await context.addCookies(cookies);

  if (!compare) {
    const res = await context.request.get(url, { maxRedirects: 20 });
    return { noJs: [], html: await htmlProblems(await res.text(), url) };
  }
  const [jsOutline, nojsPage] = await Promise.all([
    pageOutline(page),
    context.newPage(),
  ]);
  const res = await nojsPage.goto(url, { waitUntil: "load" });
  if (!res) return { noJs: [`no response for ${url} without JS`], html: [] };
  const [body, nojsOutline] = await Promise.all([res.text(), pageOutline(nojsPage)]);
  const noJs = compareOutlines(jsOutline, nojsOutline);
  if (stripHash(nojsPage.url()) !== stripHash(url)) noJs.unshift(`without JS ${url} ends at ${nojsPage.url()}`);
  return { noJs, html: await htmlProblems(body, nojsPage.url()) };
}

const stripHash = (u: string) => u.replace(/#.*$/, "");

// ---------------------------------------------------------------------------------------
// (d) html-validate

const HTMLVALIDATE_CONFIG = path.join(__dirname, "..", ".htmlvalidate.json");
let validator: HtmlValidate | undefined;

/**
 * Validates served HTML with end2end/.htmlvalidate.json: html-validate's "recommended"
 * preset (validity and accessibility rules) with only pure-style rules turned off. JSON has
 * no comments, so the reasons are here:
 *  - void-style: `<meta …/>` vs `<meta …>` is style; Leptos writes the former.
 *  - attribute-boolean-style, attribute-empty-style: `disabled` vs `disabled=""` is style;
 *    both are valid and Leptos picks one.
 *  - attr-quotes, doctype-style: quote characters and the case of `<!DOCTYPE html>` are style.
 *  - no-trailing-whitespace: whitespace in served markup is invisible style.
 *  - long-title: a `<title>` over 70 characters is a search-engine hint, not an error.
 *  - no-implicit-input-type: an `<input>` without `type` is a text field by the standard
 *    (the attribute's missing-value default); spelling it out is a house style.
 *  - aria-label-misuse: kept on, but `aria-label` is accepted on any element whose role may
 *    be named by its author (WAI-ARIA 1.2 "name from: author"), such as a `<ul>` (role list)
 *    naming what it lists; the default accepts it only on landmarks and widgets.
 *  - form-dup-name: kept on, but checkboxes may share a name like radios do (the default
 *    shares only radios and buttons): a group of checkboxes with one name is valid HTML and
 *    is how a form posts a list (e.g. several access packages at once).
 *  - valid-id, no-raw-characters: kept on, in their "relaxed" mode, which is exactly the HTML
 *    standard's rule (an id is any text without spaces; a raw `&` is fine unless it looks
 *    like a character reference); the strict mode is a house style.
 * Everything else in "recommended" stays on, among them no-dup-attr, no-dup-id,
 * element-permitted-content/-parent/-order/-occurrences, attribute-allowed-values,
 * no-implicit-close and close-order (an implicitly closed element makes the browser's DOM
 * differ from what Leptos rendered, which breaks hydration), no-self-closing (`<div/>` does
 * not close), and no-inline-style (our CSP has `style-src 'self'`, so the browser ignores
 * style attributes). Comments such as Leptos' `<!>` markers and inline scripts with a nonce
 * are valid and not flagged.
 *
 * One rewrite before validating: Leptos (tachys) marks empty views and text-node boundaries
 * with `<!>`. The HTML standard parses that as an empty comment (its "incorrectly opened
 * comment" case), but html-validate's tokenizer stops at it, so each `<!>` is validated as
 * `<!---->`, the same empty comment. Columns after one on a line shift by 4 per marker; the
 * snippet shown with each message is taken from the rewritten text, so it matches.
 */
export async function htmlProblems(html: string, url = "served.html"): Promise<string[]> {
  validator ??= new HtmlValidate(
    new StaticConfigLoader(JSON.parse(readFileSync(HTMLVALIDATE_CONFIG, "utf8")) as ConfigData),
  );
  html = html.replaceAll("<!>", "<!---->");
  const report = await validator.validateString(html, url);
  const lines = html.split("\n");
  return report.results.flatMap((r) =>
    r.messages.map((m) => {
      const src = (lines[m.line - 1] ?? "").slice(Math.max(0, m.column - 41), m.column + 60).trim();
      return `${m.ruleId} at ${m.line}:${m.column}: ${m.message} — …${src}…`;
    }),
  );
}

// ---------------------------------------------------------------------------------------
// (c) non-text contrast of form controls (WCAG 2.1 SC 1.4.11)

/**
 * The visible, enabled form controls whose boundary does not reach 3:1 against what is
 * behind them. A control's boundary candidates are each border side that is at least 1 px
 * wide and not `none`/`hidden`, an outline, a box-shadow ring, and its own background when
 * it differs from the background behind it; the best of them must reach 3:1. Native
 * checkboxes and radios (`appearance` other than `none`) are drawn by Chromium with their
 * own boundary and pass. Colours are read through a 1×1 canvas, so any CSS colour syntax
 * Chromium computes (rgb(), color(srgb …), oklch(…), …) works. Not seen: background
 * images/gradients behind a control, and opacity of ancestors. Disabled controls are
 * exempt (SC 1.4.11 covers active components), as are controls one pixel or less in size
 * (visually hidden inputs behind a custom-drawn box).
 */
export async function nonTextContrastFailures(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type RGBA = [number, number, number, number];
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    const cache = new Map<string, RGBA>();
    const parse = (css: string): RGBA => {
      let c = cache.get(css);
      if (!c) {
        ctx.clearRect(0, 0, 1, 1);
        ctx.fillStyle = "rgba(0, 0, 0, 0)";
        ctx.fillStyle = css;
        ctx.fillRect(0, 0, 1, 1);
        const d = ctx.getImageData(0, 0, 1, 1).data;
        c = [d[0], d[1], d[2], d[3] / 255];
        cache.set(css, c);
      }
      return c;
    };
    const over = (top: RGBA, below: RGBA): RGBA => {
      const a = top[3];
      return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat(1) as RGBA;
    };
    const lum = (c: RGBA) => {
      const ch = (v: number) => {
        const s = v / 255;
        return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
      };
      return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2]);
    };
    const ratio = (a: RGBA, b: RGBA) => {
      const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x);
      return (l1 + 0.05) / (l2 + 0.05);
    };
    const hex = (c: RGBA) => "#" + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
    /** The colour behind an element: its ancestors' backgrounds, blended, over white. */
    const behind = (el: Element): RGBA => {
      const layers: RGBA[] = [];
      for (let e = el.parentElement; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      return layers.reduceRight<RGBA>((acc, c) => over(c, acc), [255, 255, 255, 1]);
    };
    const cssPath = (el: Element): string => {
      const parts: string[] = [];
      for (let e: Element | null = el; e && e !== document.documentElement; e = e.parentElement) {
        if (e.id) {
          parts.unshift(`#${CSS.escape(e.id)}`);
          break;
        }
        const same = e.parentElement ? [...e.parentElement.children].filter((s) => s.tagName === e!.tagName) : [];
        const tag = e.tagName.toLowerCase();
        parts.unshift(same.length > 1 ? `${tag}:nth-of-type(${same.indexOf(e) + 1})` : tag);
      }
      return parts.join(" > ");
    };
    /** Colour and size of each ring in a computed box-shadow ("rgb(…) 0px 0px 0px 1px inset, …"). */
    const shadows = (value: string): { color: string; size: number; inset: boolean }[] => {
      if (!value || value === "none") return [];
      const items: string[] = [];
      let depth = 0;
      let start = 0;
      for (let i = 0; i < value.length; i++) {
        if (value[i] === "(") depth++;
        else if (value[i] === ")") depth--;
        else if (value[i] === "," && depth === 0) {
          items.push(value.slice(start, i));
          start = i + 1;
        }
      }
      items.push(value.slice(start));
      return items.map((item) => {
        const color = (item.match(/[a-z-]+\([^)]*\)|#[0-9a-f]+|\b(?!inset\b)[a-z]+\b/i) ?? ["transparent"])[0];
        const lengths = item.replace(color, "").match(/-?[\d.]+px/g)?.map(parseFloat) ?? [];
        const [x = 0, y = 0, blur = 0, spread = 0] = lengths;
        // A hard edge: a spread ring, or an offset shadow without blur.
        const size = Math.max(spread, blur === 0 ? Math.max(Math.abs(x), Math.abs(y)) : 0);
        return { color, size, inset: /\binset\b/.test(item) };
      });
    };

    const failures: string[] = [];
    const controls = document.querySelectorAll<HTMLElement>(
      'input:not([type="hidden"]):not([type="submit"]):not([type="button"]):not([type="reset"]):not([type="image"]), select, textarea',
    );
    for (const el of controls) {
      if ((el as HTMLInputElement).disabled) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width <= 1 || rect.height <= 1) continue;
      if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      const cs = getComputedStyle(el);
      const type = el instanceof HTMLInputElement ? el.type : el.tagName.toLowerCase();
      if ((type === "checkbox" || type === "radio") && cs.appearance !== "none") continue; // drawn natively
      const back = behind(el);
      const own = over(parse(cs.backgroundColor), back);
      const candidates: { what: string; color: RGBA; ratio: number }[] = [];
      const add = (what: string, css: string, base: RGBA) => {
        const color = over(parse(css), base);
        candidates.push({ what, color, ratio: ratio(color, back) });
      };
      for (const side of ["top", "right", "bottom", "left"]) {
        const width = parseFloat(cs.getPropertyValue(`border-${side}-width`));
        const style = cs.getPropertyValue(`border-${side}-style`);
        if (width >= 1 && style !== "none" && style !== "hidden") add(`border-${side}`, cs.getPropertyValue(`border-${side}-color`), own);
      }
      if (parseFloat(cs.outlineWidth) >= 1 && cs.outlineStyle !== "none") add("outline", cs.outlineColor, back);
      for (const s of shadows(cs.boxShadow)) if (s.size >= 1) add(s.inset ? "inset box-shadow" : "box-shadow", s.color, s.inset ? own : back);
      if (hex(own) !== hex(back)) candidates.push({ what: "background", color: own, ratio: ratio(own, back) });
      const best = candidates.reduce((m, c) => Math.max(m, c.ratio), 0);
      if (best >= 3) continue;
      const where = cssPath(el);
      const name = [
        el.id && !where.startsWith("#") && `id=${el.id}`,
        el.getAttribute("name") && `name=${el.getAttribute("name")}`,
      ]
        .filter(Boolean)
        .join(" ");
      const seen = candidates.length
        ? candidates.map((c) => `${c.what} ${hex(c.color)} ${c.ratio.toFixed(2)}:1`).join(", ")
        : `no border, outline, shadow or background (border ${cs.borderWidth} ${cs.borderStyle}, background ${cs.backgroundColor})`;
      failures.push(
        `${where} (${type}${name ? " " + name : ""}): boundary ${best.toFixed(2)}:1 < 3:1 against ${hex(back)}; ${seen}`,
      );
    }
    return failures;
  });
}

// ---------------------------------------------------------------------------------------
// (e) screenshots

const shotCounters = new WeakMap<TestInfo, number>();
const slug = (s: string, max = 80) =>
  s
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/æ/gi, "ae")
    .replace(/ø/gi, "o")
    .replace(/å/gi, "a")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/, "");

/** Where one test's screenshots go: `<outputDir>/screens/<spec file>-<test title>/`. */
export function screensDir(testInfo: TestInfo): string {
  const [file, ...titles] = testInfo.titlePath;
  const name = slug(`${path.basename(file).replace(/\.(spec|test)\.[cm]?[jt]sx?$/, "")} ${titles.join(" ")}`, 120);
  return path.join(testInfo.project.outputDir, "screens", name || "test");
}

/**
 * Full-page screenshots at 1280 and 375 px wide, as `<nn>-<url path>-<width>.png` in
 * {@link screensDir}; the viewport is put back afterwards. Returns the files written.
 */
export async function takeScreenshots(page: Page, testInfo: TestInfo): Promise<string[]> {
  const n = (shotCounters.get(testInfo) ?? 0) + 1;
  shotCounters.set(testInfo, n);
  const u = new URL(page.url());
  const name = slug(`${u.pathname} ${u.search}`) || "root";
  const dir = screensDir(testInfo);
  await mkdir(dir, { recursive: true });
  const original = page.viewportSize();
  const files: string[] = [];
  try {
    for (const width of [1280, 375]) {
      if (page.viewportSize()?.width !== width) {
        await page.setViewportSize({ width, height: original?.height ?? 720 });
      }
      const file = path.join(dir, `${String(n).padStart(2, "0")}-${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
      files.push(file);
    }
  } finally {
    if (original) await page.setViewportSize(original);
  }
  return files;
}
