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
  const folder = new LoadedFolder('INBOX', '7');
  folder.addPage(uids.map((uid) => summary(uid)));
  return folder;
}

const noChange = (folder: LoadedFolder): FolderChange => ({ folder: folder.path, added: [], changed: [], removed: [], reset: false });

describe('the window of an open folder', () => {
  it('starts empty', () => {
    const folder = new LoadedFolder('INBOX', '7');
    assert.equal(folder.size, 0);
    assert.deepEqual(folder.messages(), []);
  });

  it('lists messages newest first by UID, whatever order pages arrive in', () => {
    const folder = windowOf(5, 9, 7);
    folder.addPage([summary(2), summary(3)]);
    assert.deepEqual(folder.messages().map((m) => m.uid), [9, 7, 5, 3, 2]);
    assert.equal(folder.size, 5);
    assert.equal(folder.messages().find((m) => m.uid === 7)?.subject, 'Message 7');
  });

  it('replaces a message added twice instead of counting it twice', () => {
    const folder = windowOf(3);
    folder.addPage([{ ...summary(3), subject: 'again' }]);
    assert.equal(folder.size, 1);
    assert.equal(folder.messages()[0].subject, 'again');
  });

  it('reads what every change left, newest first, each time', () => {
    const folder = windowOf(1, 2, 3);
    assert.deepEqual(folder.messages().map((m) => m.uid), [3, 2, 1]);
    folder.messages().pop();
    assert.deepEqual(folder.messages().map((m) => m.uid), [3, 2, 1], 'a caller cannot change the window through what it read');
    folder.addPage([summary(5)]);
    assert.deepEqual(folder.messages().map((m) => m.uid), [5, 3, 2, 1]);
    folder.replaceWith([summary(7), summary(5), { ...summary(3), preview: 'three' }, summary(1, { seen: true })]);
    assert.deepEqual(folder.messages().map((m) => m.uid), [7, 5, 3, 1]);
    assert.equal(folder.messages().at(-1)!.flags.seen, true);
    assert.equal(folder.messages()[2].preview, 'three');
    folder.replaceWith([summary(9), summary(8)]);
    assert.deepEqual(folder.messages().map((m) => m.uid), [9, 8]);
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

    it('reports nothing when the mirror holds what was shown', () => {
      const folder = windowOf(1, 2, 3);
      const change = folder.replaceWith([summary(3), summary(2), summary(1)]);
      assert.deepEqual(change, noChange(folder));
      assert.ok(isEmptyChange(change));
    });

    for (const flag of ['seen', 'flagged', 'answered', 'deleted', 'draft'] as const) {
      it(`reports a change of \\${flag[0].toUpperCase()}${flag.slice(1)} alone`, () => {
        const folder = windowOf(1, 2);
        const flags = { ...noFlags, [flag]: true };
        const change = folder.replaceWith([{ ...summary(2), flags }, summary(1)]);
        assert.deepEqual(change.changed.map((m) => [m.uid, m.flags]), [[2, flags]]);
        assert.equal(folder.messages()[0].subject, 'Message 2', 'the rest of the summary stays');
        assert.ok(!isEmptyChange(change));
      });
    }
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
