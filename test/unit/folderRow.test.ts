/** A folder row: named in its tooltip as the row names it; an arrow only when expanding shows something. */
import * as assert from 'node:assert/strict';
import { folderExpandable, folderTooltip } from '../../src/tree/folderRow';

const folder = (over: Partial<{ selectable: boolean; children: never[]; hasChildren: boolean }> = {}) => ({ selectable: true, children: [], ...over });

describe('folder rows', () => {
  it('the tooltip names the Inbox as the row does, and gives a nested folder its path', () => {
    assert.equal(folderTooltip({ name: 'Inbox', path: 'INBOX' }, { messages: 1234, unseen: 1 }, undefined), 'Inbox\n1,234 messages, 1 unread');
    assert.equal(folderTooltip({ name: 'vscode', path: 'Lists/vscode' }, { messages: 1, unseen: 0 }, undefined), 'vscode\nLists/vscode\n1 message, 0 unread');
    assert.equal(folderTooltip({ name: 'Sent', path: 'Sent' }, undefined, { stored: 2000, total: 10000 }), 'Sent\nKeeping a copy: 2,000 of 10,000 messages so far');
  });

  it('a folder with no subfolders and no messages has no expand arrow', () => {
    assert.equal(folderExpandable(folder(), { messages: 0 }), false);
    assert.equal(folderExpandable(folder({ selectable: false }), undefined), false);
  });

  it('a folder with messages, with subfolders, or not counted yet keeps its arrow', () => {
    assert.equal(folderExpandable(folder(), { messages: 1 }), true);
    assert.equal(folderExpandable(folder(), undefined), true);
    assert.equal(folderExpandable(folder({ hasChildren: true }), { messages: 0 }), true);
    assert.equal(folderExpandable({ selectable: false, children: [{} as never] }, undefined), true);
  });
});
