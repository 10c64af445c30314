/**
 * The decisions of a folder's sync, without a server (`mirrorPlan.ts`): when the mirror starts anew,
 * how the known part is checked, how far the markers advance, where the fill's next chunk lies, and
 * what the listening connection's reports mean.
 */
import * as assert from 'node:assert/strict';
import { checkPath, fillRange, isMirrored, markersAfter, outcomeText, reportOutcome, startsAnew, syncedFromAfter, type MirroredFolder } from '../../src/core/sync/mirrorPlan';

const folder = { path: 'INBOX', delimiter: '/', mirrored: true };
const stored: MirroredFolder = { ...folder, uidValidity: '7', uidNext: 101, syncedFrom: 40, highestModseq: '900' };

describe('the plan of a folder\'s sync', () => {
  it('starts the mirror anew when it never held a page, or when the UIDVALIDITY changed', () => {
    assert.equal(startsAnew(undefined, '7'), true);
    assert.equal(startsAnew({ ...folder, uidValidity: '7' }, '7'), true, 'no page stored yet');
    assert.equal(startsAnew({ ...folder, uidValidity: '7', uidNext: 5 }, '7'), true, 'no stored part yet');
    assert.equal(startsAnew({ ...folder, uidValidity: '7', syncedFrom: 1 }, '7'), true, 'no UIDNEXT yet');
    assert.equal(startsAnew(stored, '7'), false);
    assert.equal(startsAnew(stored, '8'), true);
    assert.equal(isMirrored(stored), true);
    assert.equal(isMirrored({ ...stored, uidNext: 0 }), false);
  });

  it('checks the known part by QRESYNC, by CONDSTORE, or by every UID, as the markers allow', () => {
    assert.equal(checkPath(5n, 9n, true), 'qresync');
    assert.equal(checkPath(5n, 9n, false), 'condstore');
    assert.equal(checkPath(undefined, 9n, true), 'flags', 'no MODSEQ stored');
    assert.equal(checkPath(5n, undefined, true), 'flags', 'the server gave none (NOMODSEQ)');
    assert.equal(checkPath(0n, 0n, false), 'condstore');
  });

  it('moves UIDNEXT only past what was fetched, and HIGHESTMODSEQ to what was read before the fetches', () => {
    assert.deepEqual(markersAfter(stored, [], 950n), { uidNext: 101, highestModseq: '950' });
    assert.deepEqual(markersAfter(stored, [101, 105, 103], 950n), { uidNext: 106, highestModseq: '950' });
    assert.deepEqual(markersAfter(stored, [50], undefined), { uidNext: 101, highestModseq: undefined }, 'never backwards');
    assert.deepEqual(markersAfter(stored, [101], 950n).uidNext, 102, 'one new message');
  });

  it('puts the fill\'s next chunk just below the stored part, and nothing below the first message', () => {
    assert.deepEqual(fillRange(101, 20), { first: 81, last: 100 });
    assert.deepEqual(fillRange(15, 20), { first: 1, last: 14 });
    assert.deepEqual(fillRange(21, 20), { first: 1, last: 20 });
    assert.deepEqual(fillRange(2, 20), { first: 1, last: 1 });
    assert.equal(fillRange(1, 20), undefined);
    assert.equal(fillRange(0, 20), undefined);
    assert.equal(fillRange(50, 0), undefined);
  });

  it('starts the stored part at the lowest UID a chunk fetched, at 1 once the chunk reached the first message', () => {
    assert.equal(syncedFromAfter(81, [300, 250, 290], 310), 250);
    assert.equal(syncedFromAfter(1, [300, 250], 310), 1);
    assert.equal(syncedFromAfter(81, [], 310), 310, 'nothing below the anchor came back');
  });
});

describe('what the listening connection\'s reports mean', () => {
  const seen = new Set(['\\Seen', '$label']);
  it('flags and vanished messages of the folder as stored', () => {
    const outcome = reportOutcome(
      [
        { kind: 'flags', path: 'INBOX', uidValidity: '7', uid: 3, flags: seen, modseq: 12n },
        { kind: 'vanished', path: 'INBOX', uidValidity: '7', uid: 4 },
        { kind: 'flags', path: 'INBOX', uidValidity: '7', uid: 5, flags: new Set() },
      ],
      '7',
    );
    assert.equal(outcome.catchUp, false);
    assert.deepEqual(outcome.vanished, [4]);
    assert.deepEqual(outcome.flags.map((f) => [f.uid, f.flags.seen, f.keywords, f.modseq]), [
      [3, true, ['$label'], '12'],
      [5, false, undefined, undefined],
    ]);
  });

  it('a report of another UIDVALIDITY means the folder was made anew: only a sync can tell how', () => {
    const outcome = reportOutcome(
      [
        { kind: 'vanished', path: 'INBOX', uidValidity: '7', uid: 4 },
        { kind: 'vanished', path: 'INBOX', uidValidity: '8', uid: 1 },
      ],
      '7',
    );
    assert.deepEqual(outcome, { catchUp: true, flags: [], vanished: [] });
    assert.equal(reportOutcome([{ kind: 'vanished', path: 'INBOX', uidValidity: '7', uid: 4 }], undefined).catchUp, true, 'nothing stored to apply it to');
  });
});

describe('what a sync changed, in a user\'s words', () => {
  it('says what came, changed and went, and a folder made anew, and nothing for no change', () => {
    assert.equal(outcomeText({ reset: false, how: 'qresync', added: [1, 2, 3], changed: [], removed: [] }), '3 new');
    assert.equal(outcomeText({ reset: false, how: 'condstore', added: [1], changed: [2, 3], removed: [4] }), '1 new, 2 changed, 1 gone');
    assert.equal(outcomeText({ reset: true, how: 'qresync', added: [1], changed: [], removed: [] }), 'the folder was made anew on the server, 1 new');
    assert.equal(outcomeText({ reset: true, how: 'first', added: [1], changed: [], removed: [] }), '1 new');
    assert.equal(outcomeText({ reset: false, how: 'flags', added: [], changed: [], removed: [] }), undefined);
  });
});
