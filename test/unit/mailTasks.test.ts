/**
 * The pure parts of the user's actions: UID sets as IMAP writes them (RFC 3501 9), split where a
 * command line would grow past what servers take (RFC 7162 3), and the task that undoes each
 * action (through COPYUID, RFC 4315 3, or by Message-ID without it).
 */
import * as assert from 'node:assert/strict';
import type { CachedMessage } from '../../src/core/cache/rows';
import { describeTask, type FlagsTask, type MoveTask } from '../../src/core/actions/mailTasks';
import { inverseOf } from '../../src/core/actions/undo';
import { nameOfPath } from '../../src/core/model/folders';
import { uidSet, uidSets } from '../../src/core/actions/uidSet';

describe('UID sets', () => {
  it('writes runs as ranges, in order, without duplicates', () => {
    assert.equal(uidSet([14, 1, 2, 3, 4, 5, 9, 12, 13, 5]), '1:5,9,12:14');
    assert.equal(uidSet([7]), '7');
    assert.equal(uidSet([]), '');
    assert.equal(uidSet(Array.from({ length: 500 }, (_, i) => 1000 + i)), '1000:1499');
  });

  it('splits a scattered set into command lines of at most the length asked', () => {
    const scattered = Array.from({ length: 3000 }, (_, i) => 1 + i * 2);
    const sets = uidSets(scattered, 1000);
    assert.ok(sets.length > 1);
    for (const set of sets) assert.ok(set.length <= 1000, `${set.length}`);
    assert.deepEqual(sets.join(',').split(',').map(Number), scattered);
  });
});

describe('undo of an action', () => {
  const row = (uid: number, messageId?: string) => ({ uid, messageId }) as CachedMessage;
  const move: MoveTask = { kind: 'move', folder: 'INBOX', uidValidity: '7', uids: [3, 4], target: 'Archive', reason: 'archive', rows: [row(3, '<a@x>'), row(4, '<b@x>')] };

  it('moves back through the UIDs the server gave in COPYUID', () => {
    const back = inverseOf(move, { uidValidity: '99', uids: [[3, 40], [4, 41]] });
    assert.deepEqual(back, { kind: 'move', folder: 'Archive', target: 'INBOX', reason: 'undo', rows: [], allowBareExpunge: undefined, uidValidity: '99', uids: [40, 41] });
    assert.equal(describeTask(back!), 'put back 2 messages from Archive in INBOX');
  });

  it('moves back by Message-ID when COPYUID did not name every message', () => {
    const back = inverseOf(move, { uidValidity: '99', uids: [[3, 40]] }) as MoveTask;
    assert.deepEqual([back.uids, back.messageIds, back.uidValidity], [[], ['<a@x>', '<b@x>'], undefined]);
    assert.equal(inverseOf({ ...move, rows: [row(3), row(4)] }), undefined, 'without Message-IDs it cannot');
  });

  it('undoes flags on the messages the action changed only, and cannot undo a deletion for good or an undo', () => {
    const flags: FlagsTask = { kind: 'flags', folder: 'INBOX', uidValidity: '7', uids: [1, 2, 3], flag: '\\Seen', on: true, changed: [2] };
    assert.deepEqual(inverseOf(flags), { ...flags, uids: [2], changed: undefined, on: false });
    assert.equal(inverseOf({ ...flags, changed: [] }), undefined);
    assert.equal(inverseOf({ kind: 'expunge', folder: 'Trash', uidValidity: '7', uids: [1], rows: [] }), undefined);
    assert.equal(inverseOf({ ...move, reason: 'undo' }), undefined);
  });
});

describe('an action in words', () => {
  it('names folders as the tree does, through the name it is given', () => {
    const move: MoveTask = { kind: 'move', folder: 'INBOX.Work', uidValidity: '7', uids: [3], target: 'INBOX.Lists.GitHub', reason: 'move', rows: [] };
    const name = (path: string) => nameOfPath(path, '.');
    assert.equal(describeTask(move, name), 'move 1 message from Work to GitHub');
    assert.equal(describeTask({ ...move, folder: 'INBOX', reason: 'archive' }, name), 'archive 1 message from Inbox');
    assert.equal(describeTask(move), 'move 1 message from INBOX.Work to INBOX.Lists.GitHub', 'without names: the paths');
  });

  it('takes a folder\'s name from its path: Inbox, else the last part', () => {
    assert.equal(nameOfPath('INBOX', '.'), 'Inbox');
    assert.equal(nameOfPath('inbox', '/'), 'Inbox');
    assert.equal(nameOfPath('Lists/GitHub', '/'), 'GitHub');
    assert.equal(nameOfPath('Plain', ''), 'Plain');
  });
});
