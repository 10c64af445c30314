/**
 * The message webview as the workbench test reads it: the frame showing a text (webviews are
 * iframes inside iframes), and what it holds that it must not (foreign scripts, remote images).
 */
import type { Frame, Page } from 'playwright-core';
import { assertEventually } from './workbench';

/** The webview document showing `text`. Webviews are iframes inside iframes; Playwright lists them all. */
export async function findFrameWithText(page: Page, text: string, timeoutMs: number): Promise<Frame> {
  let found: Frame | undefined;
  await assertEventually(async () => {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      const body = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      if (body.includes(text)) {
        found = frame;
        return true;
      }
    }
    return false;
  }, `a webview showing "${text}"`, timeoutMs);
  return found!;
}

export interface Findings {
  foreignScripts: string[];
  remoteImages: string[];
}

/**
 * Looks through the message's frame, its shadow roots and its child frames. The only scripts
 * allowed are the extension's own (loaded from its dist/ folder or carrying the CSP nonce) and
 * the acquireVsCodeApi script VS Code injects into every webview (id `_vscodeApiScript`).
 */
export async function inspectMessageFrames(root: Frame): Promise<Findings> {
  const findings: Findings = { foreignScripts: [], remoteImages: [] };
  for (const frame of [root, ...root.childFrames()]) {
    const found = await frame.evaluate(() => {
      const roots: (Document | ShadowRoot)[] = [document];
      for (const el of document.querySelectorAll('*')) if (el.shadowRoot) roots.push(el.shadowRoot);
      const all = <T extends Element>(selector: string) => roots.flatMap((r) => [...r.querySelectorAll<T>(selector)]);
      return {
        foreignScripts: all<HTMLScriptElement>('script')
          .filter((s) => !s.nonce && s.id !== '_vscodeApiScript' && !/\/(dist|media)\//.test(s.src))
          .map((s) => s.src || s.textContent!.slice(0, 80)),
        remoteImages: all<HTMLImageElement>('img')
          .map((img) => img.getAttribute('src') ?? '')
          .filter((src) => /^(https?:)?\/\//i.test(src)),
      };
    });
    findings.foreignScripts.push(...found.foreignScripts);
    findings.remoteImages.push(...found.remoteImages);
  }
  return findings;
}
