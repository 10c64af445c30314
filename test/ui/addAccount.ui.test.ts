/**
 * A person adds an account through the guided input: from the welcome view's button, step by step,
 * a wrong password first (the error says so and offers to edit), then the right one. Screenshots of
 * the welcome view and of the error go to test-results/.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newWorkbenchPage } from '../support/browser';
import { CodeServer, repoRoot, startCodeServer, workbenchUrl } from '../support/codeServer';
import { DovecotServer, startDovecot } from '../support/dovecot';
import { assertEventually, recordConsole } from '../support/workbench';

const resultsDir = path.join(repoRoot, 'test-results');

describe('Adding an account by hand', function () {
  this.timeout(180_000);
  let dovecot: DovecotServer | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let tmp: string | undefined;

  const quickInput = () => page.locator('.quick-input-widget');
  /** The visible input's title; empty once the input has closed (the widget stays in the DOM). */
  const title = async () => ((await quickInput().isVisible()) ? quickInput().locator('.quick-input-title').innerText().catch(() => '') : '');

  /** Waits for the step titled `expected`, e.g. "Add Account (2/6)". */
  async function atStep(expected: string): Promise<void> {
    await assertEventually(async () => (await title()).includes(expected), `the input step "${expected}"`, 20_000);
  }

  /**
   * Types into the current input box and accepts it. A full Enter press can also accept the next
   * box (ENVIRONMENT.md), so the key goes up only once the title has moved on.
   */
  async function answer(step: string, value: string): Promise<void> {
    await atStep(step);
    const box = quickInput().locator('input.input');
    await box.fill(value);
    await page.keyboard.down('Enter');
    await assertEventually(async () => !(await title()).includes(step), `the input to leave "${step}"`, 20_000);
    await page.keyboard.up('Enter');
  }

  async function choose(step: string, row: string): Promise<void> {
    await atStep(step);
    await quickInput().locator('.monaco-list-row', { hasText: row }).first().click();
    await assertEventually(async () => !(await title()).includes(step), `the pick to leave "${step}"`, 20_000);
  }

  /** The six steps of the guided input, as a person answers them for the test server. */
  async function fillAccountSteps(password: string): Promise<void> {
    await answer('Add Account (1/6)', 'Work');
    await answer('Add Account (2/6)', '127.0.0.1');
    await choose('Add Account (3/6)', 'None');
    await answer('Add Account (4/6)', String(dovecot!.port));
    await answer('Add Account (5/6)', 'alice');
    await answer('Add Account (6/6)', password);
  }

  before(async () => {
    fs.mkdirSync(resultsDir, { recursive: true });
    dovecot = await startDovecot();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-ui-add-'));
    const workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(workspace);
    server = await startCodeServer({ workspace, userDataDir: path.join(tmp, 'user-data'), extensionsDir: path.join(tmp, 'extensions'), settings: {} });
    browser = await launchBrowser();
    page = await newWorkbenchPage(browser);
    recordConsole(page, path.join(resultsDir, 'ui-add-account-console.log'));
    await page.goto(workbenchUrl(server, workspace, { extensionDevelopmentPath: repoRoot }));
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      await page?.screenshot({ path: path.join(resultsDir, 'add-account-failure.png') }).catch(() => undefined);
    }
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await dovecot?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('invites to add an account when there is none', async () => {
    await page.locator('.part.activitybar [aria-label^="Mailroom"]').first().click();
    const welcome = page.locator('.part.sidebar .welcome-view-content');
    await welcome.waitFor({ timeout: 60_000 });
    assert.match(await welcome.innerText(), /No mail account yet/);
    await page.screenshot({ path: path.join(resultsDir, 'welcome.png') });
  });

  it('says the password is wrong and offers to edit, keeping what was typed', async () => {
    await page.locator('.part.sidebar .welcome-view-content a.monaco-button', { hasText: 'Add Account' }).click();
    await fillAccountSteps('not-the-password');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'refused the user name or password' });
    await toast.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(resultsDir, 'add-account-error.png') });
    assert.ok(!(await toast.innerText()).includes('not-the-password'), 'the password is not shown');
    await toast.locator('.monaco-button', { hasText: 'Edit Account' }).click();
    await atStep('Add Account (1/6)');
    assert.equal(await quickInput().locator('input.input').inputValue(), 'Work', 'the name typed before is kept');
  });

  it('adds the account once the password is right, and shows its folders', async () => {
    await fillAccountSteps('secret');
    const tree = page.locator('.part.sidebar .monaco-list-row');
    await tree.filter({ hasText: 'Work' }).first().waitFor({ timeout: 30_000 });
    await tree.filter({ hasText: 'Inbox' }).first().waitFor({ timeout: 30_000 });
    const settings = JSON.parse(fs.readFileSync(path.join(tmp!, 'user-data', 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
    const accounts = settings['mailroom.accounts'] as Record<string, unknown>[];
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0].user, 'alice');
    assert.ok(!JSON.stringify(settings).includes('secret'), 'no password in settings.json');
  });

  it('asks for the password again when Edit Account moves the account to another server', async () => {
    await page.keyboard.press('F1');
    await quickInput().locator('input.input').fill('>Mailroom: Edit Account');
    await quickInput().locator('.monaco-list-row', { hasText: 'Mailroom: Edit Account' }).first().click();
    await answer('Edit Account (1/6)', 'Work');
    await answer('Edit Account (2/6)', 'localhost');
    await choose('Edit Account (3/6)', 'None');
    await answer('Edit Account (4/6)', String(dovecot!.port));
    await answer('Edit Account (5/6)', 'alice');
    await atStep('Edit Account (6/6)');
    const message = quickInput().locator('.quick-input-message');
    assert.match(await message.innerText(), /Enter the password for alice on localhost: a saved password is only used for the server it was given for/);
    // An empty answer, which would keep the password on the same server, is not taken here.
    await page.keyboard.press('Enter');
    await assertEventually(async () => /Enter the password for this server: the saved one stays with the server it was given for/.test(await message.innerText()), 'the step to insist on a password', 10_000);
    await page.screenshot({ path: path.join(resultsDir, 'edit-account-password-again.png') });
    assert.match(await title(), /Edit Account \(6\/6\)/, 'still at the password step');
    await answer('Edit Account (6/6)', 'secret');
    await assertEventually(async () => {
      const settings = JSON.parse(fs.readFileSync(path.join(tmp!, 'user-data', 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
      return (settings['mailroom.accounts'] as Record<string, unknown>[])[0]?.host === 'localhost';
    }, 'the account saved with its new server', 30_000);
    await page.locator('.part.sidebar .monaco-list-row').filter({ hasText: 'Inbox' }).first().waitFor({ timeout: 30_000 });
  });
});
