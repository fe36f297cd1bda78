// Shared helpers of the browser scenarios: input, browser launch, Keycloak login, named steps that fail fast.
// Plain Node ESM; playwright-core comes from the web module's node_modules (MEDLAKE_NODE_MODULES), and the
// browser is Debian's chromium (MEDLAKE_CHROMIUM, default /usr/bin/chromium).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The JSON the IT wrote (MEDLAKE_E2E_INPUT): base_url, screenshots folder, and the lake's expectations. */
export function loadInput() {
  const file = process.env.MEDLAKE_E2E_INPUT;
  if (!file) {
    throw new Error('MEDLAKE_E2E_INPUT is not set: run the scenarios through BrowserE2EIT (mvn verify in web-e2e)');
  }
  const input = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.mkdirSync(input.screenshots, { recursive: true });
  return input;
}

/** playwright-core, resolved from MEDLAKE_NODE_MODULES (plain ESM imports ignore NODE_PATH). */
export function playwright() {
  const modules = process.env.MEDLAKE_NODE_MODULES;
  if (!modules) {
    throw new Error('MEDLAKE_NODE_MODULES is not set: it must name a node_modules folder holding playwright-core');
  }
  return require(path.join(modules, 'playwright-core'));
}

/** Debian's chromium, headless, without anything that talks to the network on its own. */
export async function launch() {
  const { chromium } = playwright();
  return chromium.launch({
    executablePath: process.env.MEDLAKE_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh context (own cookies and storage) per user, with a desktop viewport and downloads accepted. */
export async function newUserPage(browser, user) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.setDefaultNavigationTimeout(30000);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.__problems = problems;
  page.__user = user;
  return { context, page };
}

/**
 * Runs one named step; a failure is rethrown as "<scenario>: step '<name>' failed: ..." with the page's URL and
 * browser errors, after a screenshot FAILED-<scenario>.png, so the IT's report says where it stopped.
 */
export function stepper(scenario, page, input) {
  return async function step(name, fn) {
    const t0 = Date.now();
    try {
      const result = await fn();
      console.log(`ok   ${scenario}: ${name} (${Date.now() - t0} ms)`);
      return result;
    } catch (e) {
      let shot = '';
      try {
        const file = path.join(input.screenshots, `FAILED-${scenario}.png`);
        await page.screenshot({ path: file, fullPage: true });
        shot = ` (screenshot ${file})`;
      } catch (ignored) { /* the page may be gone */ }
      const errors = page.__problems.length ? `; browser said: ${page.__problems.slice(-5).join(' | ')}` : '';
      const err = new Error(`${scenario}: step '${name}' failed at ${page.url()}: ${e.message.split('\n')[0]}${errors}${shot}`);
      err.cause = e;
      throw err;
    }
  };
}

/** Asserts a condition inside a step, with a message saying what was expected. */
export function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/** Opens the app, follows its redirect to Keycloak's own login page, signs in, and waits to be back in the app. */
export async function login(page, input, user) {
  await page.goto(input.base_url + '/');
  await page.locator('#username').waitFor({ state: 'visible', timeout: 30000 });
  check(page.url().startsWith(input.issuer), `expected Keycloak's login page under ${input.issuer}, got ${page.url()}`);
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(user);
  await page.locator('#kc-login').click();
  await page.waitForURL((url) => url.toString().startsWith(input.base_url), { timeout: 30000 });
  await page.getByText(`Signed in as ${user}`).waitFor({ state: 'visible' });
}

/** Accessibility findings of every audited page: {page, violations: [{id, impact, nodes}]}. */
export const accessibility = [];

/**
 * Audits the page with axe-core (WCAG 2.0/2.1 A and AA rules: labels, names, contrast, landmarks, keyboard
 * reachability of controls) and records what it finds; a serious or critical violation fails the step. The
 * engine is evaluated through the DevTools protocol, which the app's Content-Security-Policy does not block.
 */
export async function audit(page, name) {
  const source = fs.readFileSync(path.join(process.env.MEDLAKE_NODE_MODULES, 'axe-core', 'axe.min.js'), 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
      example: v.nodes[0] ? v.nodes[0].target.join(' ') : '' }));
  });
  accessibility.push({ page: name, violations: result });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    throw new Error(`accessibility of ${name}: ${bad.map((v) => `${v.id} (${v.impact}, ${v.nodes} nodes, e.g. ${v.example})`).join('; ')}`);
  }
}

/** Full-page screenshot into the screenshots folder, after an accessibility audit of the page. */
export async function screenshot(page, input, name) {
  await audit(page, name);
  const file = path.join(input.screenshots, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The page's visible text and its HTML, for checks that something never appears. */
export async function pageText(page) {
  return { text: await page.evaluate(() => document.body.innerText), html: await page.content() };
}

/** p50 and max of samples (ms, one decimal). */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x) => Math.round(x * 10) / 10;
  return {
    p50: sorted.length ? round(sorted[Math.floor((sorted.length - 1) / 2)]) : null,
    max: sorted.length ? round(sorted[sorted.length - 1]) : null,
    samples: sorted.length,
  };
}
