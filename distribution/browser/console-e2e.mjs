// console-e2e.mjs: the admin console end to end in Debian's headless Chromium, driven by
// playwright-core (which downloads no browser). ConsoleIT starts the built image and runs this
// script with the scenario, the broker's address and where to save screenshots:
//
//   node console-e2e.mjs open|auth <broker base URL> <screenshot dir>   (auth: TOKENS=admin,reader,wrong in the environment)
//
// Every wait has a deadline (playwright's expect-style waits below); no fixed sleeps. The last line
// is "N passed, N failed"; the exit status is 0 only when every step passed.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [scenario, baseArg, shotsDir] = process.argv.slice(2);
const base = baseArg.endsWith('/') ? baseArg : baseArg + '/';
const BROWSER = process.env.CHROMIUM || '/usr/bin/chromium';
const WAIT_MS = 15_000;
mkdirSync(shotsDir, { recursive: true });

let passed = 0, failed = 0;
async function step(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${scenario}: ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${scenario}: ${name}\n${e.stack || e}`);
    throw e;
  }
}

/** call is the HTTP API as a test client sees it. */
async function call(method, path, { body, token, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = 'Bearer ' + token;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** until polls a condition of the broker's state until it holds or the deadline passes. */
async function until(what, fn, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last})`);
    await new Promise(r => setTimeout(r, 100));
  }
}

const browser = await chromium.launch({ executablePath: BROWSER, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const problems = [];
async function newPage(width = 1280, height = 900) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  // A CSP violation, a script error or a request to another origin fails the run.
  page.on('pageerror', e => problems.push('page error: ' + e.message));
  page.on('console', m => { if (m.type() === 'error' && !/the server responded with a status of 4\d\d/.test(m.text())) problems.push('console error: ' + m.text()); });
  page.on('request', r => { if (!r.url().startsWith(base) && !r.url().startsWith(base.replace(/^http/, 'ws')) && !r.url().startsWith('data:')) problems.push('request left the origin: ' + r.url()); });
  return page;
}
const shot = (page, name) => page.screenshot({ path: join(shotsDir, name + '.png'), fullPage: true });
const text = (page, selector) => page.locator(selector).innerText();
async function expectText(page, selector, pattern) {
  try {
    await page.locator(selector).filter({ hasText: pattern }).first().waitFor();
  } catch (e) {
    const now = await page.locator(selector).allInnerTexts().catch(() => []);
    throw new Error(`${selector} did not come to show '${pattern}'; it shows ${JSON.stringify(now)}\n${e.message}`);
  }
}

try {
  if (scenario === 'open') await open();
  else if (scenario === 'auth') await auth();
  else throw new Error('unknown scenario ' + scenario);
  await step('no script error, CSP violation or request off the origin', () => assert.deepEqual(problems, []));
} catch {
  // reported by step
} finally {
  await browser.close();
  console.log(`${scenario}: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

async function open() {
  const page = await newPage();
  await step('the overview lists a topic that was published to', async () => {
    assert.equal((await call('POST', 'publish/orders.created', { body: { id: 1 } })).status, 201);
    await page.goto(base + 'ui/');
    await page.locator('#topics a', { hasText: 'orders.created' }).waitFor();
    await expectText(page, '#health-status', 'UP');
    // The second reading gives the first rate, and the charts their first points.
    await page.locator('#topics td.rate', { hasText: '/s' }).first().waitFor();
    await shot(page, 'overview');
  });

  await step('the publish form refuses invalid JSON and publishes valid JSON with a header', async () => {
    await page.locator('#topics a', { hasText: 'orders.created' }).click();
    await expectText(page, '#topic-name', 'orders.created');
    await page.locator('#messages td', { hasText: '"id": 1' }).waitFor();
    await page.fill('#publish-data', '{"id": 2,');
    await expectText(page, '#publish-validity', 'Not valid JSON');
    assert.equal(await page.locator('#publish-submit').isDisabled(), true, 'the button is off while the JSON is invalid');
    await page.fill('#publish-data', '{"id": 2, "via": "console"}');
    await expectText(page, '#publish-validity', 'Valid JSON');
    await page.click('#add-header');
    await page.keyboard.type('source');
    await page.keyboard.press('Tab');
    await page.keyboard.type('console');
    await page.click('#publish-submit');
    await expectText(page, '#publish-result', 'Published at offset 1');
    const stored = (await call('GET', 'topics/orders.created/messages?from=1&limit=1')).body;
    assert.deepEqual(stored[0].data, { id: 2, via: 'console' });
    assert.equal(stored[0].headers.source, 'console');
    await page.locator('#messages td', { hasText: '"via": "console"' }).waitFor();
  });

  await step('the live tail shows a message published after it started', async () => {
    await page.click('#tail-toggle');
    await expectText(page, '#tail-state', 'Live');
    assert.equal((await call('POST', 'publish/orders.created', { body: { id: 3, tail: true } })).status, 201);
    await page.locator('#tail li', { hasText: '"tail": true' }).waitFor();
    await shot(page, 'topic');
    await page.click('#tail-toggle');
    await expectText(page, '#tail-state', 'Stopped');
  });

  await step('a dead letter appears with its provenance, and redrive moves it back to its group', async () => {
    assert.equal((await call('POST', 'subscribe/payments', { body: { group: 'billing', maxDeliveries: 1 } })).status, 201);
    assert.equal((await call('POST', 'publish/payments', { body: { amount: 12 } })).status, 201);
    const delivery = (await call('GET', 'consume/payments?group=billing&ack=manual')).body;
    assert.equal((await call('POST', 'nack/payments?group=billing', { body: { receipts: [delivery.receipt], reason: 'card declined' } })).status, 200);
    await until('the dead letter', async () => (await call('GET', 'topics')).body.some(t => t.name === 'dlq.payments' && t.messages === 1));
    await page.click('nav a[data-page="dead-letters"]');
    await page.locator('#dead-letter-topics a', { hasText: 'dlq.payments' }).click();
    const row = page.locator('#dead-letters tbody tr').first();
    await row.filter({ hasText: 'card declined' }).waitFor();
    for (const expected of ['payments @ 0', 'billing', 'nack', '"amount": 12']) {
      assert.match(await row.innerText(), new RegExp(expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    }
    await shot(page, 'dead-letters');
    assert.equal(await page.locator('#redrive-group').inputValue(), 'billing');
    await page.click('#redrive-submit');
    await page.locator('#confirm[open]').waitFor();
    await page.click('#confirm-ok');
    await expectText(page, '#redrive-result', 'Redriven: 1 dead letter of billing back on payments');
    const again = (await call('GET', 'consume/payments?group=billing&ack=auto&wait=5s')).body;
    assert.deepEqual(again.data, { amount: 12 }, 'the group gets the dead letter again');
    assert.equal(again.headers['x-redrive-group'], 'billing');
  });

  await step('deleting a topic asks first, then deletes it', async () => {
    await page.goto(base + 'ui/#/topics/orders.created');
    await expectText(page, '#topic-name', 'orders.created');
    await page.click('#delete-topic');
    await page.locator('#confirm[open]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('#confirm[open]').waitFor({ state: 'detached' });
    assert.equal((await call('GET', 'topics/orders.created/stats')).status, 200, 'cancel keeps the topic');
    await page.click('#delete-topic');
    await page.click('#confirm-ok');
    await expectText(page, 'main', 'orders.created was deleted');
    assert.equal((await call('GET', 'topics/orders.created/stats')).status, 404);
  });

  await step('on a narrow screen nothing is wider than the screen', async () => {
    const narrow = await newPage(360, 740);
    await narrow.goto(base + 'ui/');
    await narrow.locator('#topics a', { hasText: 'payments' }).waitFor();
    const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than a 360 px screen`);
    await shot(narrow, 'overview-narrow');
  });
}

async function auth() {
  const [admin, reader, wrong] = (process.env.TOKENS || '').split(',');
  assert.equal((await call('POST', 'publish/orders.created', { body: { id: 1 }, token: admin })).status, 201);
  const page = await newPage();
  await step('with authentication on, the console asks for a token and a wrong one is refused', async () => {
    await page.goto(base + 'ui/');
    await page.locator('#token').waitFor();
    await page.fill('#token', wrong);
    await page.keyboard.press('Enter');
    await expectText(page, '#login-status', 'The broker refused this token');
    assert.equal(await page.locator('#topics').count(), 0, 'nothing of the broker is shown');
    await shot(page, 'sign-in-refused');
  });

  await step('a token that may only consume sees the topic, and publish and delete are off with the reason', async () => {
    await page.fill('#token', reader);
    await page.keyboard.press('Enter');
    await page.locator('#topics a', { hasText: 'orders.created' }).waitFor();
    await expectText(page, '#connections', 'admin token');
    await page.locator('#topics a', { hasText: 'orders.created' }).click();
    await expectText(page, '#publish-reason', 'may not publish');
    await expectText(page, '#delete-reason', 'needs admin');
    assert.equal(await page.locator('#publish-submit').isDisabled(), true);
    assert.equal(await page.locator('#delete-topic').isDisabled(), true);
    await page.locator('#messages td', { hasText: '"id": 1' }).waitFor();
    await shot(page, 'topic-consume-only');
  });

  await step('an admin token publishes with its Bearer header and tails /ws with ?token=', async () => {
    await page.click('#who button');
    await page.fill('#token', admin);
    await page.keyboard.press('Enter');
    // Signing in again keeps the page the address names.
    await expectText(page, '#topic-name', 'orders.created');
    assert.equal(await page.locator('#delete-topic').isDisabled(), false, 'an admin may delete');
    await page.fill('#publish-data', '{"id": 2}');
    await page.click('#tail-toggle');
    await expectText(page, '#tail-state', 'Live');
    await page.click('#publish-submit');
    await expectText(page, '#publish-result', 'Published at offset 1');
    await page.locator('#tail li', { hasText: '"id": 2' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 1, 'the token is in the session storage');
    assert.equal(await page.evaluate(() => localStorage.length), 0, 'and nowhere that outlives the session');
  });
}
