// Smoke scenario: the server answers at / and chromium renders it. Prints {"smoke":1,"status":N,"title":...}.
import { loadInput, launch, newUserPage, screenshot } from './lib.mjs';

const input = loadInput();
const browser = await launch();
try {
  const { page } = await newUserPage(browser, 'anonymous');
  const response = await page.goto(input.base_url + '/');
  await page.waitForLoadState('load');
  await screenshot(page, input, 'smoke.png');
  console.log(JSON.stringify({ smoke: 1, status: response ? response.status() : null, title: await page.title() }));
} finally {
  await browser.close();
}
