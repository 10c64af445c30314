/**
 * Helpers for tests that drive the VS Code workbench in Chromium the way a person would.
 */
import * as fs from 'node:fs';
import type { Page } from 'playwright-core';

export async function assertEventually(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The workbench's console, which also carries the extension host's output: the first place to look. */
export function recordConsole(page: Page, file: string): void {
  fs.writeFileSync(file, '');
  page.on('console', (message) => {
    if (message.type() !== 'debug') fs.appendFileSync(file, `[${message.type()}] ${message.text()}\n`);
  });
}

/** Drags the sash between the side bar and the editor so message subjects are not cut short. */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const sideBar = await page.locator('.part.sidebar').boundingBox();
  if (!sideBar) return;
  // The sash sits on the side bar's right edge.
  const x = sideBar.x + sideBar.width;
  const y = sideBar.y + sideBar.height / 2;
  await page.mouse.move(x - 1, y);
  await page.waitForTimeout(300);
  await page.mouse.down();
  await page.mouse.move(x + 20, y, { steps: 4 });
  await page.mouse.move(width, y, { steps: 10 });
  await page.mouse.up();
}
