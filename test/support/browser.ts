/**
 * Headless Chromium through playwright-core, using Debian's /usr/bin/chromium: Playwright's own
 * browser download is not reachable here (never run `npx playwright install`).
 */
import { Browser, chromium, Page } from 'playwright-core';

export const chromiumPath = process.env.MAILROOM_CHROMIUM ?? '/usr/bin/chromium';

/** Flags from ENVIRONMENT.md: run as root in a container, no GPU, nothing phoning home. */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

/**
 * A page tall enough that the tree draws every row we look for: VS Code's tree renders only the
 * rows in view.
 */
export async function newWorkbenchPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  return context.newPage();
}
