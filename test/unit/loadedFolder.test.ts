/** The window of an open folder: pure bookkeeping, so every rule is checked here without a server. */
import * as assert from 'node:assert/strict';
import { isEmptyChange, LoadedFolder, type FolderChange } from '../../src/core/model/loadedFolder';
import type { MessageFlags, MessageSummary } from '../../src/core/model/types';

const noFlags: MessageFlags = { seen: false, flagged: false, answered: false, deleted: false, draft: false };

function summary(uid: number, flags: Partial<MessageFlags> = {}): MessageSummary {
  return {
    uid,
    uidValidity: '7',
    folder: 'INBOX',
    subject: `Message ${uid}`,
    from: { address: `sender${uid}@example.com` },
    to: [],
    cc: [],
    date: new Date(Date.UTC(2026, 0, uid)).toISOString(),
    flags: { ...noFlags, ...flags },
    hasAttachment: false,
    size: 100,
  };
}

function windowOf(...uids: number[]): LoadedFolder {
  const folder = new LoadedFolder('INBOX', '7', Math.max(0, ...uids) + 1);
  folder.addPage(uids.map((uid) => summary(uid)));
  return folder;
}

const noChange = (folder: LoadedFolder): FolderChange => ({ folder: folder.path, added: [], changed: [], removed: [], reset: false });

describe('the window of an open folder', () => {
  it('starts empty, claiming nothing older', () => {
    const folder = new LoadedFolder('INBOX', '7', 1);
    assert.equal(folder.size, 0);
    assert.equal(folder.hasOlder, false);
    assert.equal(folder.oldestUid, undefined);
    assert.deepEqual(folder.messages(), []);
  });

  it('lists messages newest first by UID, whatever order pages arrive in', () => {
    const folder = windowOf(5, 9, 7);
    folder.addPage([summary(2), summary(3)]);
    assert.deepEqual(folder.messages().map((m) => m.uid), [9, 7, 5, 3, 2]);
    assert.equal(folder.size, 5);
    assert.equal(folder.oldestUid, 2);
    assert.equal(folder.get(7)?.subject, 'Message 7');
    assert.equal(folder.get(4), undefined);
  });

  it('replaces a message added twice instead of counting it twice', () => {
    const folder = windowOf(3);
    folder.addPage([{ ...summary(3), subject: 'again' }]);
    assert.equal(folder.size, 1);
    assert.equal(folder.get(3)?.subject, 'again');
  });

  it('reads what every change left, newest first, each time', () => {
    const folder = windowOf(1, 2, 3);
    assert.deepEqual(folder.messages().map((m) => m.uid), [3, 2, 1]);
    folder.messages().pop();
    assert.deepEqual(folder.messages().map((m) => m.uid), [3, 2, 1], 'a caller cannot change the window through what it read');
    folder.addPage([summary(5)]);
    assert.deepEqual(folder.messages().map((m) => m.uid), [5, 3, 2, 1]);
    folder.reconcile({ present: new Set([5, 3, 1]), flags: new Map([[1, { ...noFlags, seen: true }]]), arrived: [summary(7)] });
    assert.deepEqual(folder.messages().map((m) => m.uid), [7, 5, 3, 1]);
    assert.equal(folder.messages().at(-1)!.flags.seen, true);
    folder.setPreviews(new Map([[3, 'three']]));
    assert.equal(folder.messages()[2].preview, 'three');
    folder.replaceWith([summary(9), summary(8)]);
    assert.deepEqual(folder.messages().map((m) => m.uid), [9, 8]);
    folder.clear();
    assert.deepEqual(folder.messages(), []);
  });

  describe('replaceWith', () => {
    it('says which rows went, came and changed flags or preview', () => {
      const folder = windowOf(1, 2, 3);
      const change = folder.replaceWith([{ ...summary(3), preview: 'p' }, { ...summary(2), flags: { ...noFlags, flagged: true } }, summary(4)]);
      assert.deepEqual(change.removed, [1]);
      assert.deepEqual(change.added.map((m) => m.uid), [4]);
      assert.deepEqual(change.changed.map((m) => m.uid).sort(), [2, 3]);
      assert.ok(isEmptyChange(folder.replaceWith(folder.messages())));
    });
  });

  describe('reconcile', () => {
    it('reports nothing when the server agrees', () => {
      const folder = windowOf(1, 2, 3);
      const change = folder.reconcile({ present: new Set([1, 2, 3]), flags: new Map([[2, { ...noFlags }]]), arrived: [] });
      assert.deepEqual(change, noChange(folder));
      assert.ok(isEmptyChange(change));
    });

    it('removes UIDs the server no longer has', () => {
      const folder = windowOf(1, 2, 3);
      const change = folder.reconcile({ present: new Set([1, 3]), flags: new Map(), arrived: [] });
      assert.deepEqual(change.removed, [2]);
      assert.deepEqual(folder.messages().map((m) => m.uid), [3, 1]);
      assert.ok(!isEmptyChange(change));
    });

    for (const flag of ['seen', 'flagged', 'answered', 'deleted', 'draft'] as const) {
      it(`reports a change of \\${flag[0].toUpperCase()}${flag.slice(1)} alone`, () => {
        const folder = windowOf(1, 2);
        const flags = { ...noFlags, [flag]: true };
        const change = folder.reconcile({ present: new Set([1, 2]), flags: new Map([[2, flags], [1, { ...noFlags }]]), arrived: [] });
        assert.deepEqual(change.changed.map((m) => [m.uid, m.flags]), [[2, flags]]);
        assert.deepEqual(folder.get(2)?.flags, flags);
        assert.equal(folder.get(2)?.subject, 'Message 2', 'the rest of the summary stays');
        assert.ok(!isEmptyChange(change));
      });
    }

    it('does not report flags for a message that was removed in the same catch-up', () => {
      const folder = windowOf(1, 2);
      const change = folder.reconcile({ present: new Set([1]), flags: new Map([[2, { ...noFlags, seen: true }]]), arrived: [] });
      assert.deepEqual(change.changed, []);
      assert.deepEqual(change.removed, [2]);
    });

    it('adds what arrived, once', () => {
      const folder = windowOf(1);
      const change = folder.reconcile({ present: new Set([1, 2]), flags: new Map(), arrived: [summary(2), summary(1)] });
      assert.deepEqual(change.added.map((m) => m.uid), [2]);
      assert.deepEqual(folder.messages().map((m) => m.uid), [2, 1]);
      assert.ok(!isEmptyChange(change));
    });
  });

  describe('previews', () => {
    it('sets previews of messages in the window and reports only those that changed', () => {
      const folder = windowOf(1, 2);
      const changed = folder.setPreviews(new Map([[1, 'Hello'], [9, 'not in the window']]));
      assert.deepEqual(changed.map((m) => [m.uid, m.preview]), [[1, 'Hello']]);
      assert.equal(folder.get(1)?.preview, 'Hello');
      assert.deepEqual(folder.setPreviews(new Map([[1, 'Hello']])), [], 'the same preview again is no change');
      assert.deepEqual(folder.setPreviews(new Map([[1, 'Bye']])).map((m) => m.preview), ['Bye']);
    });
  });

  it('clear() forgets every message and the claim of older mail', () => {
    const folder = windowOf(1, 2);
    folder.hasOlder = true;
    folder.clear();
    assert.equal(folder.size, 0);
    assert.equal(folder.hasOlder, false);
  });

  it('an empty change is one with nothing added, changed, removed or reset', () => {
    const folder = windowOf(1);
    assert.ok(isEmptyChange(noChange(folder)));
    assert.ok(!isEmptyChange({ ...noChange(folder), reset: true }));
    assert.ok(!isEmptyChange({ ...noChange(folder), added: [summary(2)] }));
    assert.ok(!isEmptyChange({ ...noChange(folder), changed: [summary(1)] }));
    assert.ok(!isEmptyChange({ ...noChange(folder), removed: [1] }));
  });
});
