/**
 * What a person can read of a tree row in the workbench: a row's label and description share one
 * line, and the part past the side bar's edge is hidden under an ellipsis. These helpers measure
 * the drawn text, so they hold whatever order the row puts its parts in.
 */
import type { Locator } from 'playwright-core';

/**
 * Whether `text` is drawn whole in the row: inside the clipping box of its label, and clear of the
 * ellipsis that covers the last pixels of a row cut short.
 */
export function shownWhole(row: Locator, text: string): Promise<boolean> {
  return row.evaluate((el, wanted) => {
    const clip = el.querySelector('.monaco-icon-label-container');
    if (!clip) return false;
    const box = clip.getBoundingClientRect();
    const ellipsis = clip.scrollWidth > clip.clientWidth ? 12 : 0;
    const walker = document.createTreeWalker(clip, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent?.indexOf(wanted) ?? -1;
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + wanted.length);
      const drawn = range.getBoundingClientRect();
      return drawn.width > 0 && drawn.left >= box.left && drawn.right <= box.right - ellipsis;
    }
    return false;
  }, text);
}

/** Who and when of a message row, read from what it tells a screen reader: `…, from Dana Reyes, 12 Jan`. */
export function whoAndWhen(ariaLabel: string): { who: string; when: string } | undefined {
  const match = /, (?:from|to) ([^,]+), (.+)$/.exec(ariaLabel);
  return match ? { who: match[1], when: match[2] } : undefined;
}
