/**
 * Triage as a person does it, in Chromium against code-server and a real Dovecot: select two rows
 * (one read, one unread), see both Mark as Read and Mark as Unread in their menu, press `e` to
 * archive them, see the notification with Undo, press `z` to bring them back, and act on an open
 * message from its tab's title bar and with j / k pressed inside it. The server's folders are checked by another IMAP client. Saves
 * test-results/triage-menu.png, triage-notification.png, triage-toolbar.png and triage-refused.png
 * to look at.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchBrowser, newWorkbenchPage } from '../support/browser';
import { CodeServer, repoRoot, startCodeServer, workbenchUrl } from '../support/codeServer';
import { DovecotServer, startDovecot } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { withOtherClient } from '../support/otherClient';
import { assertEventually, recordConsole, widenSideBar } from '../support/workbench';

const resultsDir = path.join(repoRoot, 'test-results');

describe('Triage in the workbench: keys, menus, Undo', function () {
  this.timeout(180_000);
  let dovecot: DovecotServer | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let tmp: string | undefined;

  const sidebar = () => page!.locator('.part.sidebar');
  const treeRow = (text: string) => sidebar().locator('.monaco-list-row', { hasText: text }).first();
  const subjects = (folder: string) =>
    withOtherClient(dovecot!, 'alice', async (client) => {
      await client.mailboxOpen(folder, { readOnly: true });
      const out: string[] = [];
      for await (const m of client.fetch('1:*', { envelope: true })) out.push(m.envelope?.subject ?? '');
      return out.sort();
    }).catch(() => [] as string[]);

  async function expand(text: string): Promise<void> {
    const row = treeRow(text);
    await row.waitFor({ timeout: 60_000 });
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    await assertEventually(async () => (await row.getAttribute('aria-expanded')) === 'true', `${text} to expand`, 30_000);
  }

  /**
   * Clicking report 6 opens it, which marks it read and redraws its row; a Ctrl+click landing on
   * that redraw is lost, so the selection is checked and the Ctrl+click made again if need be.
   */
  async function selectReports6And5(): Promise<void> {
    await treeRow('Deploy report 6').click();
    const selected = async () =>
      (await treeRow('Deploy report 6').getAttribute('aria-selected')) === 'true' && (await treeRow('Deploy report 5').getAttribute('aria-selected')) === 'true';
    for (let attempt = 0; attempt < 3 && !(await selected()); attempt++) {
      await page!.waitForTimeout(500);
      if ((await treeRow('Deploy report 5').getAttribute('aria-selected')) !== 'true') await treeRow('Deploy report 5').click({ modifiers: ['Control'] });
    }
    assert.ok(await selected(), 'reports 6 and 5 selected');
  }

  before(async () => {
    fs.mkdirSync(resultsDir, { recursive: true });
    dovecot = await startDovecot();
    await dovecot.createFolder('alice', 'Work');
    for (let i = 1; i <= 6; i++) {
      await dovecot.deliver('alice', 'Work', simpleMessage(`Deploy report ${i}`, { from: 'Release Bot <release@example.com>' }), i % 2 ? ['\\Seen'] : []);
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-triage-'));
    const workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(workspace);
    server = await startCodeServer({
      workspace,
      userDataDir: path.join(tmp, 'user-data'),
      extensionsDir: path.join(tmp, 'extensions'),
      env: { MAILROOM_TEST_PASSWORDS: JSON.stringify({ demo: dovecot.users.alice }) },
      settings: { 'mailroom.accounts': [{ id: 'demo', name: 'Demo', host: '127.0.0.1', port: dovecot.port, security: 'none', user: 'alice' }] },
    });
    browser = await launchBrowser();
    page = await newWorkbenchPage(browser);
    recordConsole(page, path.join(resultsDir, 'triage-console.log'));
    await page.goto(workbenchUrl(server, workspace, { extensionDevelopmentPath: repoRoot }));
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await page?.screenshot({ path: path.join(resultsDir, 'triage-failure.png') }).catch(() => undefined);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await dovecot?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('offers Mark as Read and Mark as Unread for a selection of read and unread mail', async () => {
    await page!.locator('.part.activitybar [aria-label^="Mailroom"]').first().click();
    await expand('Demo');
    await widenSideBar(page!, 620);
    await expand('Work');
    // 6 is unread, 5 read: a mixed selection.
    await selectReports6And5();
    await treeRow('Deploy report 5').click({ button: 'right' });
    const menu = page!.locator('.context-view .monaco-menu');
    await menu.waitFor({ timeout: 10_000 });
    await page!.waitForTimeout(300);
    await page!.screenshot({ path: path.join(resultsDir, 'triage-menu.png') });
    const items = (await menu.locator('.action-label').allTextContents()).map((t) => t.trim());
    for (const wanted of ['Mark as Read', 'Mark as Unread', 'Flag', 'Remove Flag', 'Archive', 'Move to…', 'Delete']) {
      assert.ok(items.includes(wanted), `"${wanted}" in the menu of a mixed selection: ${items.join(', ')}`);
    }
    await page!.keyboard.press('Escape');
  });

  it('archives the selection with e, says so with Undo, and brings it back with z', async () => {
    await selectReports6And5();
    await page!.keyboard.press('e');
    await assertEventually(async () => (await treeRow('Deploy report 6').count()) === 0 && (await treeRow('Deploy report 5').count()) === 0, 'the rows to leave', 5_000);
    const toast = page!.locator('.notifications-toasts .notification-toast', { hasText: 'Archived 2 messages from Work' });
    await toast.waitFor({ timeout: 10_000 });
    assert.ok(await toast.locator('.monaco-button', { hasText: 'Undo' }).count(), 'an Undo button');
    await page!.screenshot({ path: path.join(resultsDir, 'triage-notification.png') });
    await assertEventually(async () => (await subjects('Archive')).join() === 'Deploy report 5,Deploy report 6', 'both in Archive on the server', 15_000);

    await sidebar().locator('.monaco-list-row[aria-selected="true"]').first().click();
    await page!.keyboard.press('z');
    await assertEventually(async () => (await subjects('Archive')).length === 0, 'Archive empty again on the server', 15_000);
    assert.equal((await subjects('Work')).length, 6);
    await treeRow('Deploy report 6').waitFor({ timeout: 15_000 });
  });

  it('acts on the open message from its title bar, and shows the next one', async () => {
    await treeRow('Deploy report 4').click();
    const title = page!.locator('.part.editor .editor-actions');
    const archive = title.locator('.action-label[aria-label^="Archive"]');
    await archive.waitFor({ timeout: 15_000 });
    await page!.waitForTimeout(500);
    await page!.screenshot({ path: path.join(resultsDir, 'triage-toolbar.png') });
    for (const label of ['Previous Message', 'Next Message', 'Delete', 'Move to…', 'Mark as Unread', 'Toggle Flag']) {
      assert.ok(await title.locator(`.action-label[aria-label^="${label}"]`).count(), `"${label}" in the title bar`);
    }
    await archive.click();
    await assertEventually(async () => (await subjects('Archive')).includes('Deploy report 4'), 'report 4 in Archive on the server', 15_000);
    // The tab moves on to the row below: report 3.
    await assertEventually(async () => /Deploy report 3/.test((await page!.locator('.tabs-container .tab.active').textContent()) ?? ''), 'the tab to show report 3', 15_000);
  });

  it('moves to the previous and next message with k and j pressed in the open message', async () => {
    const tabShows = (n: number) =>
      assertEventually(async () => new RegExp(`Deploy report ${n}`).test((await page!.locator('.tabs-container .tab.active').textContent()) ?? ''), `the tab to show report ${n}`, 15_000);
    // Focus inside the message itself: the webview passes its keys on to the workbench.
    await (await frameShowing(page!, 'Body of Deploy report 3')).locator('body').click();
    // Report 5 was never opened here, report 3 was: the two targets (300 ms and 150 ms).
    let started = Date.now();
    await page!.keyboard.press('k');
    await frameShowing(page!, 'Body of Deploy report 5', 10);
    console.log(`      k: the previous message's body shown ${Date.now() - started} ms after the key (never opened before; target 300 ms from the server)`);
    await tabShows(5);
    await (await frameShowing(page!, 'Body of Deploy report 5')).locator('body').click();
    started = Date.now();
    await page!.keyboard.press('j');
    await frameShowing(page!, 'Body of Deploy report 3', 10);
    console.log(`      j: the next message's body shown ${Date.now() - started} ms after the key (opened before; target 150 ms from the mirror)`);
    await tabShows(3);
  });

  it('says in plain words, with Retry, when the server refuses a move, and puts the row back', async () => {
    await dovecot!.createFolder('alice', 'Doomed');
    await treeRow('Doomed').waitFor({ timeout: 30_000 });
    await treeRow('Deploy report 2').click();
    await page!.keyboard.press('v');
    const input = page!.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill('Doomed');
    const choice = page!.locator('.quick-input-list .monaco-list-row', { hasText: 'Doomed' }).first();
    await choice.waitFor({ timeout: 10_000 });
    // Another client deletes the folder while the pick is open: the server will refuse the MOVE.
    await withOtherClient(dovecot!, 'alice', (client) => client.mailboxDelete('Doomed'));
    await choice.click();
    const toast = page!.locator('.notifications-toasts .notification-toast', { hasText: 'Could not move 1 message from Work to Doomed' });
    await toast.waitFor({ timeout: 20_000 });
    assert.ok(await toast.locator('.monaco-button', { hasText: 'Retry' }).count(), 'a Retry button');
    await treeRow('Deploy report 2').waitFor({ timeout: 10_000 });
    await page!.waitForTimeout(300);
    await page!.screenshot({ path: path.join(resultsDir, 'triage-refused.png') });
    assert.ok((await subjects('Work')).includes('Deploy report 2'), 'still in Work on the server');
  });

  it('marks unread with Shift+U and toggles the flag with s, on the server', async () => {
    const flags = () =>
      withOtherClient(dovecot!, 'alice', async (client) => {
        await client.mailboxOpen('Work', { readOnly: true });
        for await (const m of client.fetch('1:*', { envelope: true, flags: true })) if (m.envelope?.subject === 'Deploy report 3') return [...(m.flags ?? [])];
        return [];
      });
    await treeRow('Deploy report 3').click();
    await assertEventually(async () => (await flags()).includes('\\Seen'), 'report 3 read once opened', 15_000);
    await page!.keyboard.press('Shift+U');
    await assertEventually(async () => !(await flags()).includes('\\Seen'), 'report 3 unread on the server', 15_000);
    await page!.keyboard.press('s');
    await assertEventually(async () => (await flags()).includes('\\Flagged'), 'report 3 flagged on the server', 15_000);
    await page!.keyboard.press('s');
    await assertEventually(async () => !(await flags()).includes('\\Flagged'), 'report 3 unflagged again', 15_000);
  });
});

/** The webview frame whose document shows `text` (webviews are iframes in iframes), looked for every `pollMs`. */
async function frameShowing(page: Page, text: string, pollMs = 250): Promise<Frame> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      if ((await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '')).includes(text)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview showing "${text}" after 15 s`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
