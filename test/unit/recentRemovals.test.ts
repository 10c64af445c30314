/**
 * What the recent moves and deletions took out of their folders: a UID taken out is never another
 * message's (RFC 3501 2.3.1.1), so acting on it again is the same click twice. Only within the same
 * folder and UIDVALIDITY, and not once the action was taken back.
 */
import * as assert from 'node:assert/strict';
import { RecentRemovals } from '../../src/core/actions/recentRemovals';

describe('recent removals (the same action twice)', () => {
  const archived = { id: 7, description: 'archive 2 messages from INBOX', undoable: true };

  it('leaves out the UIDs an action took out of the same folder and UIDVALIDITY, and names that action', () => {
    const removals = new RecentRemovals();
    removals.record(archived, 'INBOX', '100', [3, 4]);
    assert.deepEqual(removals.sort('INBOX', '100', [4, 3]), { fresh: [], takenBy: archived });
    assert.deepEqual(removals.sort('INBOX', '100', [2, 3, 5]), { fresh: [2, 5], takenBy: archived });
    assert.deepEqual(removals.sort('Work', '100', [3]), { fresh: [3], takenBy: undefined });
    assert.deepEqual(removals.sort('INBOX', '101', [3]), { fresh: [3], takenBy: undefined }, 'the folder was made anew');
  });

  it('forgets an action taken back, and actions older than asked', () => {
    const removals = new RecentRemovals();
    removals.record(archived, 'INBOX', '100', [3]);
    removals.forget(archived.id);
    assert.deepEqual(removals.sort('INBOX', '100', [3]).fresh, [3]);
    removals.record(archived, 'INBOX', '100', [3]);
    removals.forgetBefore(Date.now() - 60_000);
    assert.deepEqual(removals.sort('INBOX', '100', [3]).fresh, []);
    removals.forgetBefore(Date.now() + 1);
    assert.deepEqual(removals.sort('INBOX', '100', [3]).fresh, [3]);
  });
});
