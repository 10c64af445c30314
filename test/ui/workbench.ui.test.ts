/**
 * Mailroom in a real workbench, as a user sees it: code-server with the extension under
 * development, Chromium clicking through the Mailroom view, a real Dovecot holding the fixture
 * messages. Leaves test-results/workbench.png, rows-300px.png (the Inbox at the side bar's default
 * width) and new-mail-notification.png to look at (and workbench-failure.png when failing).
 *
 * The password reaches SecretStorage through MAILROOM_TEST_PASSWORDS, which the extension reads
 * only in development and test hosts (src/testHooks.ts).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import PostalMime from 'postal-mime';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, newWorkbenchPage } from '../support/browser';
import { CodeServer, repoRoot, startCodeServer, workbenchUrl } from '../support/codeServer';
import { parseCsp } from '../support/csp';
import { findFrameWithText, inspectMessageFrames } from '../support/messageFrames';
import { DovecotServer, startDovecot } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { NAME_MAX, splitSubjectTag } from '../../src/tree/messageRow';
import { withOtherClient } from '../support/otherClient';
import { shownWhole, whoAndWhen } from '../support/treeRows';
import { assertEventually, recordConsole, widenSideBar } from '../support/workbench';

const resultsDir = path.join(repoRoot, 'test-results');
const fixturesDir = path.join(repoRoot, 'test', 'fixtures');
/** The message opened in the webview: HTML with a script and remote images, to prove they are gone. */
const openedFixture = 'html-remote-image-script.eml';

interface Fixture {
  file: string;
  raw: Buffer;
  subject: string;
}

async function loadFixtures(): Promise<Fixture[]> {
  const files = fs.readdirSync(fixturesDir).filter((f) => f.endsWith('.eml')).sort();
  return Promise.all(
    files.map(async (file) => {
      const raw = fs.readFileSync(path.join(fixturesDir, file));
      // Decoded as the tree shows it (RFC 2047 encoded words, charsets), without a leading
      // `[owner/repo]`, which the row shows after the sender instead.
      const subject = splitSubjectTag(((await PostalMime.parse(raw)).subject ?? '').trim()).subject;
      return { file, raw, subject };
    }),
  );
}

/** Messages in a folder larger than a page. */
const LARGE_FOLDER = 200;

/** Rows whose subject, and one's sender, are far longer than a 300 px side bar holds. */
const LONG_ROWS = [
  simpleMessage('[dana-demo/mailroom] Run failed: CI - main (0b9c8d7) on ubuntu-latest with Node 22', { from: 'GitHub Actions <notifications@github.com>' }),
  simpleMessage('Quarterly maintenance window for the shared build runners', {
    from: 'Continuous Integration Service of Example Corp <ci@example.com>',
    date: new Date(2024, 10, 12, 9, 7),
  }),
];

describe('Mailroom in the workbench', function () {
  this.timeout(180_000);

  let dovecot: DovecotServer | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let tmp: string | undefined;
  let fixtures: Fixture[] = [];

  const sidebar = () => page!.locator('.part.sidebar');
  const treeRow = (text: string) => sidebar().locator('.monaco-list-row', { hasText: text }).first();

  async function saveFailureScreenshot(): Promise<void> {
    await page?.screenshot({ path: path.join(resultsDir, 'workbench-failure.png'), fullPage: true }).catch(() => undefined);
  }

  /** Expands a tree row unless the extension already did. */
  async function expand(row: Locator, what: string): Promise<void> {
    await row.waitFor({ timeout: 60_000 }).catch(() => {
      throw new Error(`no tree row ${what} in the Mailroom view after 60 s (see test-results/ui-console.log)`);
    });
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    await assertEventually(async () => (await row.getAttribute('aria-expanded')) === 'true', `${what} to expand`, 30_000);
  }

  before(async function () {
    try {
      fs.mkdirSync(resultsDir, { recursive: true });
      fixtures = await loadFixtures();
      assert.ok(fixtures.length > 0, `no .eml fixtures in ${fixturesDir}`);
      dovecot = await startDovecot();
      for (const fixture of fixtures) await dovecot.deliver('alice', 'INBOX', fixture.raw);
      for (const raw of LONG_ROWS) await dovecot.deliver('alice', 'INBOX', raw);
      await dovecot.createFolder('alice', 'Notifications');
      for (let i = 1; i <= LARGE_FOLDER; i++) {
        await dovecot.deliver('alice', 'Notifications', simpleMessage(`[octo/repo] Build #${i} passed`, { from: 'CI <builds@ci.example.com>' }));
      }

      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-ui-'));
      const workspace = path.join(tmp, 'workspace');
      fs.mkdirSync(workspace);
      server = await startCodeServer({
        workspace,
        userDataDir: path.join(tmp, 'user-data'),
        extensionsDir: path.join(tmp, 'extensions'),
        env: { MAILROOM_TEST_PASSWORDS: JSON.stringify({ demo: dovecot.users.alice }) },
        settings: {
          'mailroom.accounts': [
            { id: 'demo', name: 'Demo', host: '127.0.0.1', port: dovecot.port, security: 'none', user: 'alice' },
          ],
        },
      });
      browser = await launchBrowser();
      page = await newWorkbenchPage(browser);
      recordConsole(page, path.join(resultsDir, 'ui-console.log'));
      // Only extensionDevelopmentPath: the extension runs in development mode, no test runner.
      await page.goto(workbenchUrl(server, workspace, { extensionDevelopmentPath: repoRoot }));
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
    } catch (error) {
      await saveFailureScreenshot();
      throw error;
    }
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await saveFailureScreenshot();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await dovecot?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  // The steps build on each other, as a user's clicks do; a failed step explains the later ones.
  it('shows the account with its Inbox, Sent, Drafts and Trash folders', async () => {
    const icon = page!.locator('.part.activitybar [aria-label^="Mailroom"]').first();
    await icon.waitFor({ timeout: 60_000 }).catch(() => {
      throw new Error('no Mailroom icon in the activity bar after 60 s: did the extension load? (see test-results/ui-console.log)');
    });
    await icon.click();
    await expand(treeRow('Demo'), '"Demo" (the account)');
    for (const folder of ['Inbox', 'Sent', 'Drafts', 'Trash']) {
      await treeRow(folder).waitFor({ timeout: 30_000 }).catch(() => {
        throw new Error(`no folder row "${folder}" under the account after 30 s`);
      });
    }
  });

  it('lists every fixture message in Inbox, opened after a pause past the IDLE delay', async () => {
    // A person looks at the tree for a moment first: both connections go quiet past imapflow's 15 s
    // IDLE delay. Opening the Inbox then must not wait for the answer deadline (it once took 30 s).
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    const started = Date.now();
    await expand(treeRow('Inbox'), '"Inbox"');
    const first = fixtures.find((f) => f.subject)!;
    await treeRow(first.subject!).waitFor({ timeout: 10_000 }).catch(() => {
      throw new Error(`Inbox showed no message within 10 s of being expanded after a pause (it once waited 30 s for the answer deadline)`);
    });
    console.log(`      Inbox expanded after 20 s of quiet: first row in ${Date.now() - started} ms`);
    for (const { file, subject } of fixtures.filter((f) => f.subject)) {
      await treeRow(subject).waitFor({ timeout: 30_000 }).catch(() => {
        throw new Error(`no row for ${file} ("${subject}") in Inbox after 30 s`);
      });
    }
  });

  it('shows every Inbox row\'s sender and date whole at the side bar\'s default width, long subjects cut after them', async () => {
    const width = (await sidebar().boundingBox())!.width;
    assert.ok(Math.abs(width - 300) <= 2, `the side bar is ${width} px wide, not the default 300`);
    await treeRow('Quarterly maintenance').waitFor({ timeout: 30_000 });
    await page!.waitForTimeout(300);
    await sidebar().screenshot({ path: path.join(resultsDir, 'rows-300px.png') });
    const rows = sidebar().locator('.monaco-list-row[aria-label*=", from "]');
    const count = await rows.count();
    assert.equal(count, fixtures.length + LONG_ROWS.length, 'a row for every Inbox message');
    const hidden: string[] = [];
    for (let i = 0; i < count; i++) {
      const aria = (await rows.nth(i).getAttribute('aria-label')) ?? '';
      const parts = whoAndWhen(aria);
      assert.ok(parts, `who and when in "${aria}"`);
      // A name longer than a row holds is cut short, with an ellipsis, before it can push out the date.
      const who = [...parts.who].slice(0, NAME_MAX - 1).join('').trimEnd();
      for (const wanted of [who, parts.when]) if (!(await shownWhole(rows.nth(i), wanted))) hidden.push(`"${wanted}" of ${aria}`);
    }
    assert.deepEqual(hidden, [], 'senders and dates cut off at 300 px');
    // The repository of a notification is still there, once.
    const ci = (await treeRow('Run failed: CI - main (0b9c8d7)').textContent()) ?? '';
    assert.equal(ci.split('dana-demo/mailroom').length - 1, 1, ci);
  });

  it('opens a message in a webview editor that shows its subject', async () => {
    const opened = fixtures.find((f) => f.file === openedFixture) ?? fixtures.find((f) => f.subject)!;
    const tab = page!.locator('.tabs-container .tab').first();
    await widenSideBar(page!, 560);
    // One click must do: a row redrawn under the pointer swallows the click, and that was a bug.
    await treeRow(opened.subject).click();
    await tab.waitFor({ timeout: 15_000 }).catch(() => {
      throw new Error(`clicking "${opened.subject}" opened no editor tab (see test-results/ui-console.log)`);
    });
    await findFrameWithText(page!, opened.subject, 30_000);
    // Let images and fonts settle so the screenshot shows what a user sees.
    await page!.waitForTimeout(1_000);
    await page!.screenshot({ path: path.join(resultsDir, 'workbench.png'), fullPage: true });
  });

  it('shows the message with its scripts and remote images taken out of the DOM', async () => {
    const opened = fixtures.find((f) => f.file === openedFixture) ?? fixtures.find((f) => f.subject)!;
    const frame = await findFrameWithText(page!, opened.subject, 10_000);
    const findings = await inspectMessageFrames(frame);
    assert.deepEqual(findings.foreignScripts, [], 'scripts that are not the extension\'s own webview code');
    assert.deepEqual(findings.remoteImages, [], 'images loading from the network');
  });

  it('loads the message webview under a CSP that starts from default-src \'none\', and the browser enforces it', async () => {
    const opened = fixtures.find((f) => f.file === openedFixture) ?? fixtures.find((f) => f.subject)!;
    const frame = await findFrameWithText(page!, opened.subject, 10_000);
    const policies = await frame.evaluate(() =>
      [...document.querySelectorAll('meta[http-equiv="Content-Security-Policy" i]')].map((m) => m.getAttribute('content') ?? ''),
    );
    assert.equal(policies.length, 1, 'one CSP meta element in the message document');
    const csp = parseCsp(policies[0]);
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    const scriptSrc = csp.get('script-src') ?? [];
    assert.equal(scriptSrc.length, 1);
    assert.match(scriptSrc[0], /^'nonce-[0-9a-f]{16,}'$/);
    for (const [name, sources] of csp) {
      for (const source of sources) {
        assert.ok(!/^(\*|https?:|'unsafe-eval')$/.test(source), `${name} allows ${source}`);
        if (name !== 'style-src') assert.notEqual(source, "'unsafe-inline'", `${name} allows inline code`);
      }
    }
    assert.deepEqual(csp.get('base-uri'), ["'none'"]);
    assert.deepEqual(csp.get('form-action'), ["'none'"]);

    // What the policy is for: a remote image and a script without the nonce are refused by the
    // browser. The image points at a server of ours, which must never see the request.
    const hits: string[] = [];
    const catcher = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end();
    });
    await new Promise<void>((resolve) => catcher.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(catcher.address() as AddressInfo).port}/pixel.gif`;
      const outcome = await frame.evaluate(async (src) => {
        const violations: string[] = [];
        document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
        const image = await new Promise<string>((resolve) => {
          const img = document.createElement('img');
          img.onload = () => resolve('loaded');
          img.onerror = () => resolve('error');
          img.src = src;
          document.body.append(img);
        });
        const script = document.createElement('script');
        script.textContent = 'document.body.dataset.injected = "ran"';
        document.body.append(script);
        // Violation events are queued as tasks: one more task turn delivers them.
        await new Promise((r) => setTimeout(r, 0));
        return { image, scriptRan: document.body.dataset.injected === 'ran', violations };
      }, url);
      assert.equal(outcome.image, 'error');
      assert.equal(outcome.scriptRan, false, 'an inline script without the nonce ran');
      assert.ok(outcome.violations.includes('img-src'), `violations: ${outcome.violations.join(', ')}`);
      assert.ok(outcome.violations.includes('script-src-elem') || outcome.violations.includes('script-src'), `violations: ${outcome.violations.join(', ')}`);
      assert.deepEqual(hits, [], 'the remote image was requested');
    } finally {
      catcher.close();
    }
  });

  it('shows a large folder\'s newest page from the mirror, and "Load older" says how many remain', async () => {
    await expand(treeRow('Notifications'), '"Notifications"');
    await treeRow(`Build #${LARGE_FOLDER} `).waitFor({ timeout: 30_000 });
    // The folder is the last one: End brings its last row, "Load 50 older…", into view.
    await page!.keyboard.press('End');
    const more = treeRow('Load 50 older');
    await assertEventually(async () => /150 more/.test((await more.textContent()) ?? ''), 'the "Load 50 older…" row to say 150 more', 30_000);
    await page!.screenshot({ path: path.join(resultsDir, 'large-folder.png'), fullPage: true });
    await more.click();
    // The click leaves the pointer (not the keyboard focus) on the tree: scroll it to its end.
    await treeRow(`Build #${LARGE_FOLDER - 49} `).waitFor({ timeout: 30_000 });
    await treeRow(`Build #${LARGE_FOLDER - 49} `).hover();
    await assertEventually(
      async () => {
        await page!.mouse.wheel(0, 5_000);
        return /100 more/.test((await treeRow('Load 50 older').textContent({ timeout: 1_000 }).catch(() => '')) ?? '');
      },
      'the row to say 100 more after loading a page',
      30_000,
    );
    await treeRow(`Build #${LARGE_FOLDER - 99} `).waitFor({ timeout: 30_000 });
  });

  it('tells a burst of new mail in the Inbox in one notification, naming the newest sender and subject', async () => {
    await withOtherClient(dovecot!, 'alice', async (client) => {
      for (let i = 1; i <= 3; i++) await client.append('INBOX', simpleMessage(`Nightly build ${i} passed`, { from: 'Build Bot <ci@example.com>' }));
      await client.append('INBOX', simpleMessage('Can we ship 0.3 on Friday?', { from: 'Priya Raman <priya@example.com>' }));
    });
    const toast = page!.locator('.notifications-toasts .notification-toast', { hasText: 'new messages in Inbox' }).first();
    await toast.waitFor({ timeout: 30_000 });
    // Away from the tree, so no row's tooltip covers the picture.
    await page!.mouse.move(900, 300);
    await page!.waitForTimeout(500);
    await page!.screenshot({ path: path.join(resultsDir, 'new-mail-notification.png') });
    const text = (await toast.textContent()) ?? '';
    assert.match(text, /4 new messages in Inbox: Priya Raman, "Can we ship 0\.3 on Friday\?"/);
    assert.ok(await toast.locator('.monaco-button', { hasText: 'Open' }).count(), 'an Open button');
  });
});
