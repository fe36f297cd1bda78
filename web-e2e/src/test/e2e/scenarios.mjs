// The web app's three user scenarios in Debian's chromium, against the real server and Keycloak (BrowserE2EIT).
//   a. alice (editor of demo): cohort builder narrowed to MR + DWI, click-to-count latency, save, freeze, manifest
//   b. bob (viewer of other): demo is not offered; forcing it shows an error and no demo data
//   c. carol (admin of demo): de-identification queue without PHI, an override with a reason, the audit entry
// Elements are selected by role and accessible name (CONTRACT-web.md), never by CSS class. Each step fails fast
// naming itself; the last stdout line is
//   {"scenarios":3,"passed":3,"click_to_count_ms":{"p50":..,"max":..,"samples":N,"app_p50":..,...},"manifest":path}
// click_to_count_ms: p50/max/samples measured in the page (click event to the count text changing, performance.now);
// app_*: the app's own window.__lastCountMs for the same clicks.
import fs from 'node:fs';
import path from 'node:path';
import { loadInput, launch, newUserPage, stepper, check, login, screenshot, pageText, summarize, accessibility } from './lib.mjs';

const input = loadInput();
const COUNT = /^\s*(\d+)\s+series\s*$/;
const COHORT = `dwi-e2e-${Date.now().toString(36)}`;

/** The live region with the number of series the current query selects. */
function resultCount(page) {
  return page.getByRole('status', { name: 'Result count' });
}

/** Waits until the result count shows a number and returns it. */
async function countNow(page) {
  const region = resultCount(page);
  await region.waitFor({ state: 'visible' });
  await page.waitForFunction(() => {
    const el = document.querySelector('[role="status"][aria-label="Result count"]');
    return el && /^\s*\d+\s+series\s*$/.test(el.textContent);
  });
  const text = await region.textContent();
  return Number(COUNT.exec(text)[1]);
}

/** A facet value's checkbox: <fieldset><legend>facet</legend> ... checkbox named by the value. */
function facetValue(page, facet, value) {
  return page.getByRole('group', { name: facet, exact: true }).getByRole('checkbox', { name: value, exact: true });
}

/**
 * Clicks a facet checkbox and measures, in the browser, from the click event to the moment the count text shows a
 * different number (a MutationObserver on the page, performance.now() on both ends). Also reads the app's own
 * window.__lastCountMs. Returns {count, ms, appMs}.
 */
async function clickAndTime(page, checkbox) {
  await page.evaluate(() => {
    const read = () => {
      const el = document.querySelector('[role="status"][aria-label="Result count"]');
      const m = el && /^\s*(\d+)\s+series\s*$/.exec(el.textContent);
      return m ? m[1] : null;
    };
    const probe = { before: read(), click: null, change: null, lastCountMs: window.__lastCountMs };
    window.__e2eProbe = probe;
    document.addEventListener('click', () => { if (probe.click === null) probe.click = performance.now(); },
      { capture: true, once: true });
    const observer = new MutationObserver(() => {
      const now = read();
      if (probe.click !== null && now !== null && now !== probe.before) {
        probe.change = performance.now();
        probe.after = now;
        observer.disconnect();
      }
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  await checkbox.click();
  await page.waitForFunction(() => window.__e2eProbe.change !== null, null, { timeout: 15000 });
  // the app sets __lastCountMs when it has rendered the count; give it that moment
  await page.waitForFunction(() => typeof window.__lastCountMs === 'number'
    && window.__lastCountMs !== window.__e2eProbe.lastCountMs, null, { timeout: 5000 }).catch(() => {});
  const probe = await page.evaluate(() => ({ ...window.__e2eProbe, appMs: window.__lastCountMs }));
  return { count: Number(probe.after), ms: probe.change - probe.click, appMs: probe.appMs };
}

/** The request the UI makes to the API for an action, and its status. */
function apiResponse(page, method, pathPart) {
  return page.waitForResponse((r) => r.request().method() === method && r.url().includes(pathPart), { timeout: 20000 });
}

async function aliceBuildsFreezesAndDownloads(browser, latency, results) {
  const { context, page } = await newUserPage(browser, 'alice');
  const step = stepper('alice', page, input);
  try {
    await step('log in through the Keycloak login page', () => login(page, input, 'alice'));
    await step('header shows project demo with role editor', async () => {
      const project = page.getByRole('combobox', { name: 'Project' });
      await project.waitFor({ state: 'visible' });
      const value = await project.inputValue();
      check(value === 'demo', `the Project switcher selects "${value}", expected "demo"`);
      const options = await project.locator('option').allTextContents();
      check(options.map((o) => o.trim()).includes('demo'), `Project options are ${JSON.stringify(options)}`);
      await page.getByText('editor', { exact: true }).first().waitFor({ state: 'visible' });
    });
    await step('open the cohort builder', async () => {
      await page.getByRole('link', { name: 'Cohort builder', exact: true }).click();
      await resultCount(page).waitFor({ state: 'visible' });
    });
    const all = await step('read the count of all series', () => countNow(page));
    const mr = await step('narrow to Modality MR', async () => {
      const r = await clickAndTime(page, facetValue(page, 'Modality', 'MR'));
      check(r.count < all, `count ${r.count} after Modality MR did not drop below ${all}`);
      check(r.count === input.mr_count, `count ${r.count} after Modality MR, the lake has ${input.mr_count} MR series in demo`);
      latency.push(r);
      return r.count;
    });
    await step('narrow to Series type DWI', async () => {
      const r = await clickAndTime(page, facetValue(page, 'Series type', 'DWI'));
      check(r.count < mr, `count ${r.count} after Series type DWI did not drop below ${mr}`);
      check(r.count === input.dwi_count, `count ${r.count}, the lake has ${input.dwi_count} DWI series in demo`);
      latency.push(r);
    });
    await step('toggle DWI off and on again to sample click-to-count latency', async () => {
      for (let i = 0; i < 5; i++) {
        const off = await clickAndTime(page, facetValue(page, 'Series type', 'DWI'));
        check(off.count === mr, `count ${off.count} with DWI unchecked, expected ${mr}`);
        latency.push(off);
        const on = await clickAndTime(page, facetValue(page, 'Series type', 'DWI'));
        check(on.count === input.dwi_count, `count ${on.count} with DWI checked, expected ${input.dwi_count}`);
        latency.push(on);
      }
    });
    await step('query JSON and results show MR + DWI', async () => {
      const query = await page.getByRole('textbox', { name: 'Query JSON' }).inputValue();
      check(query.includes('"MR"') && query.includes('"DWI"'), `Query JSON does not hold MR and DWI: ${query}`);
      const countFor = await page.evaluate(() => document.body.dataset.countFor);
      check(countFor && countFor.includes('DWI'), `document.body.dataset.countFor is ${countFor}`);
      const table = page.getByRole('table', { name: 'Results' });
      await table.waitFor({ state: 'visible' });
      const rows = table.getByRole('row').filter({ has: page.getByRole('cell') });
      const n = await rows.count();
      check(n === input.dwi_count, `the Results table has ${n} rows, expected ${input.dwi_count}`);
      // each row's QA mosaic is named after its series (a placeholder text stands in when there is no thumbnail)
      const names = await table.getByRole('img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('alt')));
      for (const name of names) {
        const uid = name.replace(/^QA mosaic of series /, '');
        check(input.dwi_series.includes(uid), `the Results table shows "${name}", not one of the DWI series`);
      }
    });
    await step('screenshot the builder', async () => {
      await page.mouse.move(0, 0); // no hover highlight in the picture
      await screenshot(page, input, 'alice-builder.png');
    });
    await step(`save the cohort as ${COHORT}`, async () => {
      await page.getByRole('textbox', { name: 'Cohort name' }).fill(COHORT);
      const created = apiResponse(page, 'POST', '/cohorts');
      await page.getByRole('button', { name: 'Save cohort', exact: true }).click();
      const r = await created;
      check(r.status() === 201, `saving the cohort answered HTTP ${r.status()}: ${await r.text()}`);
    });
    await step('open the cohort from the Cohorts page', async () => {
      await page.getByRole('link', { name: 'Cohorts', exact: true }).click();
      await page.getByRole('link', { name: COHORT, exact: true }).click();
      await page.getByRole('button', { name: 'Freeze', exact: true }).waitFor({ state: 'visible' });
    });
    await step('freeze version 1', async () => {
      const frozen = apiResponse(page, 'POST', `/cohorts/${COHORT}/versions`);
      await page.getByRole('button', { name: 'Freeze', exact: true }).click();
      const r = await frozen;
      check(r.status() === 201, `freezing answered HTTP ${r.status()}: ${await r.text()}`);
      const v = await r.json();
      check(v.version === 1, `frozen version is ${v.version}, expected 1`);
      check(v.series_count === input.dwi_count, `version 1 has ${v.series_count} series, expected ${input.dwi_count}`);
      check(v.instance_count === input.dwi_instances.length,
        `version 1 has ${v.instance_count} instances, expected ${input.dwi_instances.length}`);
      await page.getByRole('status').filter({ hasText: /version 1\b/ }).first().waitFor({ state: 'visible' });
      await page.getByRole('table', { name: 'Versions' }).getByRole('row').filter({ has: page.getByRole('cell') })
        .first().waitFor({ state: 'visible' });
    });
    await step('download the JSON manifest and check it lists exactly the DWI instances', async () => {
      await page.getByRole('combobox', { name: 'Manifest format' }).selectOption('json');
      const control = page.getByRole('link', { name: 'Download manifest', exact: true })
        .or(page.getByRole('button', { name: 'Download manifest', exact: true }));
      const [download] = await Promise.all([page.waitForEvent('download'), control.first().click()]);
      const file = path.join(input.downloads, download.suggestedFilename() || 'manifest.json');
      await download.saveAs(file);
      let manifest;
      try {
        manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (e) {
        throw new Error(`the downloaded manifest ${file} is not JSON: ${e.message}`);
      }
      check(Array.isArray(manifest.instances), `the manifest has no "instances" array: ${Object.keys(manifest)}`);
      const got = manifest.instances.map((i) => i.sop_instance_uid).sort();
      const want = [...input.dwi_instances].sort();
      check(JSON.stringify(got) === JSON.stringify(want),
        `the manifest lists ${got.length} instances, expected exactly the ${want.length} DWI instances`);
      check(manifest.instances.every((i) => i.project === 'demo' && input.dwi_series.includes(i.series_instance_uid)),
        'the manifest lists an instance outside the DWI series of demo');
      results.manifest = file;
    });
    await step('screenshot the cohort detail', () => screenshot(page, input, 'alice-cohort-detail.png'));
  } finally {
    await context.close();
  }
}

async function bobCannotReachDemo(browser) {
  const { context, page } = await newUserPage(browser, 'bob');
  const step = stepper('bob', page, input);
  try {
    await step('log in through the Keycloak login page', () => login(page, input, 'bob'));
    await step('the project switcher offers other, not demo', async () => {
      const project = page.getByRole('combobox', { name: 'Project' });
      await project.waitFor({ state: 'visible' });
      const options = (await project.locator('option').allTextContents()).map((o) => o.trim());
      check(options.includes('other'), `bob's Project options are ${JSON.stringify(options)}, expected other`);
      check(!options.includes('demo'), `bob is offered project demo: ${JSON.stringify(options)}`);
    });
    await step('forcing project demo on #/builder shows an error', async () => {
      await page.goto(`${input.base_url}/#/builder?project=demo`);
      await page.getByRole('alert').filter({ hasText: /\S/ }).first().waitFor({ state: 'visible' });
    });
    await step('no demo data is rendered', async () => {
      const { text, html } = await pageText(page);
      for (const uid of [...input.dwi_series, ...input.fail_series]) {
        check(!html.includes(uid), `bob's page shows series ${uid} of demo`);
      }
      const resultsTable = page.getByRole('table', { name: 'Results' });
      if (await resultsTable.count() > 0) {
        const rows = await resultsTable.getByRole('row').filter({ has: page.getByRole('cell') }).count();
        check(rows === 0, `bob's Results table shows ${rows} rows for project demo`);
      }
      const counts = await resultCount(page).count();
      if (counts > 0) {
        const t = (await resultCount(page).textContent()) || '';
        const m = COUNT.exec(t);
        check(!m || Number(m[1]) === 0, `bob sees a count "${t.trim()}" for project demo`);
      }
      check(!/\bSYNTHETIC\b/.test(text), 'bob\'s page shows a patient name');
    });
    await step('screenshot the refusal', () => screenshot(page, input, 'bob-forbidden-project.png'));
  } finally {
    await context.close();
  }
}

/** Opens a data-manager page by its navigation link and waits for its API answer and its table or message. */
async function openPage(page, link, apiPart) {
  const answered = apiResponse(page, 'GET', apiPart);
  await page.getByRole('link', { name: link, exact: true }).click();
  const r = await answered;
  check(r.ok(), `${link}: GET ${r.url()} answered HTTP ${r.status()}`);
  await page.getByRole('main').or(page.locator('body')).first().waitFor({ state: 'visible' });
  await page.waitForTimeout(300); // let the page render the answer it just got
  const alerts = await page.getByRole('alert').filter({ hasText: /\S/ }).allTextContents();
  check(alerts.length === 0, `${link} shows an error: ${alerts.join(' | ')}`);
}

async function assertNoRawNames(page, where) {
  const { text, html } = await pageText(page);
  for (const name of input.raw_patient_names) {
    check(!text.includes(name) && !html.includes(name), `${where} shows raw patient data "${name}"`);
  }
}

async function carolReviewsAndOverrides(browser) {
  const { context, page } = await newUserPage(browser, 'carol');
  const step = stepper('carol', page, input);
  try {
    await step('log in through the Keycloak login page', () => login(page, input, 'carol'));
    await step('header shows project demo with role admin', async () => {
      const value = await page.getByRole('combobox', { name: 'Project' }).inputValue();
      check(value === 'demo', `carol's Project switcher selects "${value}"`);
      await page.getByText('admin', { exact: true }).first().waitFor({ state: 'visible' });
    });
    await step('Ingest runs', async () => {
      await openPage(page, 'Ingest runs', '/ingest-runs');
      const text = await page.evaluate(() => document.body.innerText);
      check(/site-a/.test(text) && /site-c/.test(text), 'the Ingest runs page does not list the runs of site-a and site-c');
      await screenshot(page, input, 'carol-ingest-runs.png');
    });
    await step('Quarantine', async () => {
      await openPage(page, 'Quarantine', '/quarantine');
      await screenshot(page, input, 'carol-quarantine.png');
    });
    await step('QA', async () => {
      await openPage(page, 'QA', 'queue=qa');
      await screenshot(page, input, 'carol-qa.png');
    });
    await step('De-identification queue lists the FAIL series without patient data', async () => {
      await openPage(page, 'De-identification', 'queue=deid');
      const table = page.getByRole('table', { name: 'De-identification queue' });
      await table.waitFor({ state: 'visible' });
      const html = await table.innerHTML();
      const text = await table.innerText();
      for (const uid of input.fail_series) {
        check(html.includes(uid), `the De-identification queue does not list FAIL series ${uid}`);
      }
      check(/FAIL/.test(text), 'the De-identification queue shows no FAIL status');
      // unfold one series' findings, so the check below also covers what a reader sees of them
      const findings = table.getByText(/\d+ findings?\b/).first();
      if (await findings.count() > 0) {
        await findings.click();
      }
      await assertNoRawNames(page, 'the De-identification page');
      await screenshot(page, input, 'carol-deid-queue.png');
    });
    await step('override one FAIL series with a reason', async () => {
      const table = page.getByRole('table', { name: 'De-identification queue' });
      const target = table.getByRole('row').filter({ hasText: input.fail_series[0] });
      check(await target.count() === 1, `no single row of the queue shows series ${input.fail_series[0]}`);
      await target.getByRole('button', { name: 'Override', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor({ state: 'visible' });
      await dialog.getByRole('textbox', { name: 'Reason' }).fill('Synthetic phantom data, checked by carol in the browser test');
      const overridden = apiResponse(page, 'POST', '/deid-override');
      await dialog.getByRole('button', { name: 'Confirm override', exact: true }).click();
      const r = await overridden;
      check(r.ok(), `the override answered HTTP ${r.status()}: ${await r.text()}`);
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('status').filter({ hasText: `Overrode series ${input.fail_series[0]}` }).waitFor({ state: 'visible' });
      await target.filter({ hasText: 'overridden' }).waitFor({ state: 'visible' });
      await assertNoRawNames(page, 'the De-identification page after the override');
    });
    await step('Audit shows carol\'s deid-override entry', async () => {
      await openPage(page, 'Audit', '/audit');
      const table = page.getByRole('table', { name: 'Audit log' });
      await table.waitFor({ state: 'visible' });
      const entry = table.getByRole('row').filter({ hasText: 'carol' }).filter({ hasText: /DEID_OVERRIDE|deid-override/i });
      await entry.first().waitFor({ state: 'visible', timeout: 10000 }).catch(() => {});
      const n = await entry.count();
      check(n >= 1, 'the Audit log has no row with user carol and action DEID_OVERRIDE / deid-override');
      await screenshot(page, input, 'carol-audit.png');
    });
  } finally {
    await context.close();
  }
}

const latency = [];
const results = { manifest: null };
const scenarios = [
  ['alice', (b) => aliceBuildsFreezesAndDownloads(b, latency, results)],
  ['bob', bobCannotReachDemo],
  ['carol', carolReviewsAndOverrides],
];
let passed = 0;
const browser = await launch();
try {
  for (const [name, run] of scenarios) {
    await run(browser);
    passed++;
    console.log(`PASS ${name}`);
  }
} catch (e) {
  console.log(`FAIL ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
const own = summarize(latency.map((r) => r.ms));
const app = summarize(latency.filter((r) => typeof r.appMs === 'number').map((r) => r.appMs));
console.log(JSON.stringify({
  scenarios: scenarios.length,
  passed,
  click_to_count_ms: { ...own, app_p50: app.p50, app_max: app.max, app_samples: app.samples },
  manifest: results.manifest,
  accessibility: {
    pages: accessibility.length,
    violations: accessibility.reduce((n, a) => n + a.violations.length, 0),
    by_rule: [...new Set(accessibility.flatMap((a) => a.violations.map((v) => `${v.id}:${v.impact}`)))],
  },
}));
