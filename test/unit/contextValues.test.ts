/**
 * The tree rows' context values against the menus that package.json binds to them. For every
 * state a row can be in, the commands shown must be exactly the ones that make sense: Mark as
 * Read only on unread mail, Flag only on unflagged mail, Retry inline only when offline or failed.
 * The `when` clauses are read from package.json, so a change on either side is checked.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConnectionState } from '../../src/core/model/types';
import { accountContextValue, folderContextValue, messageContextValue } from '../../src/tree/contextValues';

interface MenuItem {
  command: string;
  when?: string;
  group?: string;
}

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const itemMenus: MenuItem[] = manifest.contributes.menus['view/item/context'];

/**
 * Evaluates a `when` clause for a row of the Mail view: only `view == x`, `viewItem =~ /re/` and
 * `&&` occur in these menus; anything else fails the test rather than being guessed at.
 */
function shows(when: string, viewItem: string, multiSelection = false): boolean {
  return when.split('&&').every((term) => {
    const t = term.trim();
    if (t === 'view == mailroom.mail') return true;
    // The list's own key: true while more than one row is selected.
    if (t === 'listMultiSelection') return multiSelection;
    if (t === '!listMultiSelection') return !multiSelection;
    const match = /^viewItem =~ \/(.*)\/([a-z]*)$/.exec(t);
    assert.ok(match, `unexpected term in a when clause: ${t}`);
    return new RegExp(match[1], match[2]).test(viewItem);
  });
}

/** The commands of each menu group that a row with this context value shows. */
function menuFor(viewItem: string, multiSelection = false): { inline: string[]; context: string[] } {
  const visible = itemMenus.filter((m) => m.when && shows(m.when, viewItem, multiSelection));
  const inline = visible.filter((m) => m.group?.startsWith('inline')).map((m) => m.command).sort();
  const context = visible.filter((m) => !m.group?.startsWith('inline')).map((m) => m.command).sort();
  return { inline, context };
}

/** What every message row offers in its menu, whatever its state. */
const MOVES = ['mailroom.archive', 'mailroom.delete', 'mailroom.markJunk', 'mailroom.moveTo'];

describe('tree rows and their menus (package.json when clauses)', () => {
  it('every item menu is scoped to the Mail view and matches on viewItem', () => {
    assert.ok(itemMenus.length > 0);
    for (const m of itemMenus) {
      assert.match(m.when ?? '', /view == mailroom\.mail/, m.command);
      assert.match(m.when ?? '', /viewItem =~/, m.command);
    }
  });

  describe('messages: every combination of read, flagged, answered and attachment', () => {
    for (const seen of [false, true]) {
      for (const flagged of [false, true]) {
        for (const answered of [false, true]) {
          for (const hasAttachment of [false, true]) {
            const state = { flags: { seen, flagged, answered, deleted: false, draft: false }, hasAttachment };
            const value = messageContextValue(state);
            const name = [seen ? 'read' : 'unread', flagged && 'flagged', answered && 'answered', hasAttachment && 'attachment'].filter(Boolean).join(', ');
            it(`${name}: ${value}`, () => {
              const readCommand = seen ? 'mailroom.markUnread' : 'mailroom.markRead';
              const flagCommand = flagged ? 'mailroom.unflag' : 'mailroom.flag';
              const { inline, context } = menuFor(value);
              assert.deepEqual(inline, ['mailroom.archive', readCommand, flagCommand].sort());
              assert.deepEqual(context, ['mailroom.openMessageInNewTab', readCommand, flagCommand, ...MOVES].sort());
            });
          }
        }
      }
    }

    it('a selection of read and unread, flagged and unflagged rows offers both directions of each', () => {
      // VS Code shows a context menu item only where its when clause holds for every selected row.
      const rows = [false, true].flatMap((seen) => [false, true].map((flagged) => messageContextValue({ flags: { seen, flagged, answered: false, deleted: false, draft: false }, hasAttachment: false })));
      const menus = rows.map((row) => menuFor(row, true).context);
      const shared = menus[0].filter((command) => menus.every((menu) => menu.includes(command)));
      assert.deepEqual(shared, ['mailroom.openMessageInNewTab', 'mailroom.markRead', 'mailroom.markUnread', 'mailroom.flag', 'mailroom.unflag', ...MOVES].sort());
    });

    it('names each state part once, kind first, then read or unread', () => {
      const value = messageContextValue({ flags: { seen: false, flagged: true, answered: true, deleted: true, draft: true }, hasAttachment: true });
      assert.equal(value, 'message+unread+flagged+answered+attachment');
      assert.equal(messageContextValue({ flags: { seen: true, flagged: false, answered: false, deleted: false, draft: false }, hasAttachment: false }), 'message+read');
    });
  });

  describe('accounts', () => {
    const expected: Record<ConnectionState['kind'], string[]> = {
      online: [],
      connecting: [],
      offline: ['mailroom.retryAccount'],
      failed: ['mailroom.retryAccount'],
    };
    for (const [state, inlineExpected] of Object.entries(expected)) {
      it(`${state}: Edit, New Folder and Remove in the menu; Retry, inline and in the menu, only when it can help`, () => {
        const value = accountContextValue(state as ConnectionState['kind']);
        const { inline, context } = menuFor(value);
        assert.deepEqual(inline, inlineExpected);
        assert.deepEqual(context, ['mailroom.editAccount', 'mailroom.newFolder', 'mailroom.removeAccount', ...inlineExpected].sort());
      });
    }
  });

  describe('folders', () => {
    const edits = ['mailroom.deleteFolder', 'mailroom.newFolder', 'mailroom.renameFolder'];
    it('a selectable folder, read or unread, has Refresh inline, Mark All as Read, Set Folder Role and the folder edits in its menu, and no message or account commands', () => {
      for (const unseen of [undefined, 0, 3]) {
        const value = folderContextValue(true, unseen);
        assert.deepEqual(menuFor(value), { inline: ['mailroom.refreshFolder'], context: ['mailroom.markAllRead', 'mailroom.setFolderRole', ...edits].sort() }, value);
      }
      assert.equal(folderContextValue(true, 3), 'folder+selectable+unread');
      assert.equal(folderContextValue(true, 0), 'folder+selectable');
      assert.equal(folderContextValue(true, undefined), 'folder+selectable');
    });

    it('a container folder (\\Noselect) offers the folder edits only', () => {
      assert.deepEqual(menuFor(folderContextValue(false, undefined)), { inline: [], context: edits });
      assert.equal(folderContextValue(false, 2), 'folder+container+unread');
    });

    it('the Inbox is never renamed or deleted: New Folder only, beside its usual commands', () => {
      for (const unseen of [0, 3]) {
        const value = folderContextValue(true, unseen, true);
        assert.match(value, /\+inbox$/);
        assert.deepEqual(menuFor(value).context, ['mailroom.markAllRead', 'mailroom.newFolder', 'mailroom.setFolderRole'], value);
      }
    });
  });

  it('notices and the load-more row offer no command', () => {
    for (const value of ['loadMore', 'notice+failed', 'notice+offline', 'notice+empty']) {
      assert.deepEqual(menuFor(value), { inline: [], context: [] }, value);
    }
  });
});
