// Smoke scenario: the server answers at / with the app, whose script runs in chromium and sends the anonymous
// visitor to Keycloak's login page. Prints {"smoke":1,"status":N,"title":...,"url":...} (url: where it ended).
import { loadInput, launch, newUserPage, screenshot } from './lib.mjs';

const input = loadInput();
const browser = await launch();
try {
  const { page } = await newUserPage(browser, 'anonymous');
  const response = await page.goto(input.base_url + '/');
  const status = response ? response.status() : null;
  await page.locator('#username').waitFor({ state: 'visible', timeout: 30000 }).catch(() => {});
  await page.waitForLoadState('load');
  await screenshot(page, input, 'smoke.png');
  console.log(JSON.stringify({ smoke: 1, status, title: await page.title(), url: page.url() }));
} finally {
  await browser.close();
}
