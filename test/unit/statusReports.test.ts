/**
 * What a folder's status report means, without a server (`statusReports.ts`): a late NOTIFY report
 * is dropped only while the status it is older than is recent, and never across UIDVALIDITYs (RFC
 * 7162 3.1.1: a folder made again counts its MODSEQs anew). Also the text the mirror can store.
 */
import * as assert from 'node:assert/strict';
import { isLateReport, mergeStatus, reportedBefore, STALE_REPORT_MS, statusMoved } from '../../src/core/sync/statusReports';
import { storableText } from '../../src/core/model/storableText';
import { toRowValues, type CachedMessage } from '../../src/core/cache/rows';

const known = { path: 'INBOX', messages: 10, unseen: 2, uidNext: 11, highestModseq: '500', uidValidity: '7' };

describe('status reports', () => {
  it('drops a report older than a recent status, by HIGHESTMODSEQ, else by UIDNEXT', () => {
    assert.equal(isLateReport({ path: 'INBOX', highestModseq: '499', uidValidity: '7' }, known, 1_000, 1_000 + 500), true);
    assert.equal(isLateReport({ path: 'INBOX', uidNext: 10 }, { path: 'INBOX', uidNext: 11 }, 1_000, 1_500), true);
    assert.equal(isLateReport({ path: 'INBOX', highestModseq: '500', uidValidity: '7' }, known, 1_000, 1_500), false);
    assert.equal(isLateReport({ path: 'INBOX', highestModseq: '501', uidValidity: '7' }, known, 1_000, 1_500), false);
    assert.equal(isLateReport({ path: 'INBOX', messages: 3 }, known, 1_000, 1_500), false, 'nothing to order it by');
  });

  it('takes an older report once the status it is older than is no longer recent', () => {
    const older = { path: 'INBOX', highestModseq: '20', uidValidity: '7' };
    assert.equal(isLateReport(older, known, 1_000, 1_000 + STALE_REPORT_MS - 1), true);
    assert.equal(isLateReport(older, known, 1_000, 1_000 + STALE_REPORT_MS), false);
    assert.equal(isLateReport(older, known, undefined, STALE_REPORT_MS + 5), false);
    assert.equal(isLateReport(older, undefined, 1_000, 1_001), false, 'the first report of a folder is news');
  });

  it('never takes a report of another UIDVALIDITY for a late one, however low its HIGHESTMODSEQ', () => {
    const remade = { path: 'INBOX', messages: 1, highestModseq: '2', uidNext: 2, uidValidity: '8' };
    assert.equal(reportedBefore(remade, known), false);
    assert.equal(isLateReport(remade, known, 1_000, 1_001), false);
    assert.equal(statusMoved(known, remade), true);
    // The old folder's numbers do not describe the new one.
    assert.deepEqual(mergeStatus(known, { path: 'INBOX', highestModseq: '2', uidValidity: '8' }), { path: 'INBOX', highestModseq: '2', uidValidity: '8' });
    assert.deepEqual(mergeStatus(known, { path: 'INBOX', unseen: 3 }), { ...known, unseen: 3 });
  });
});

describe('merging and comparing status reports', () => {
  it('keeps what a report does not say, and takes what it says', () => {
    assert.deepEqual(mergeStatus(known, { path: 'INBOX', messages: undefined, unseen: 4 }), { ...known, unseen: 4 });
    assert.deepEqual(mergeStatus(undefined, { path: 'INBOX', unseen: 4, uidNext: undefined }), { path: 'INBOX', unseen: 4 });
    // A report or a status without UIDVALIDITY is taken for the same folder.
    const noValidity = { path: 'INBOX', messages: 10, highestModseq: '500' };
    assert.deepEqual(mergeStatus(noValidity, { path: 'INBOX', unseen: 1, uidValidity: '7' }), { ...noValidity, unseen: 1, uidValidity: '7' });
    assert.deepEqual(mergeStatus(known, { path: 'INBOX', unseen: 1, uidValidity: '7' }), { ...known, unseen: 1 });
  });

  it('tells a status that moved from one that did not, by the numbers both know', () => {
    assert.equal(statusMoved(known, { ...known }), false);
    assert.equal(statusMoved(known, { path: 'INBOX', messages: 10 }), false, 'counts from a selection carry no UIDNEXT');
    assert.equal(statusMoved({ path: 'INBOX', messages: 10 }, { path: 'INBOX', uidNext: 12 }), false, 'nothing both know');
    assert.equal(statusMoved(known, { path: 'INBOX', messages: 11 }), true);
    assert.equal(statusMoved(known, { path: 'INBOX', unseen: 3 }), true);
    assert.equal(statusMoved(known, { path: 'INBOX', uidNext: 12 }), true);
    assert.equal(statusMoved(known, { path: 'INBOX', highestModseq: '501' }), true);
  });

  it('orders reports by HIGHESTMODSEQ where both have one, else by UIDNEXT, within one UIDVALIDITY', () => {
    assert.equal(reportedBefore({ path: 'INBOX', highestModseq: '499' }, known), true, 'no UIDVALIDITY in the report: the same folder');
    assert.equal(reportedBefore({ path: 'INBOX', highestModseq: '499', uidValidity: '7' }, { ...known, uidValidity: undefined }), true);
    assert.equal(reportedBefore({ path: 'INBOX', highestModseq: '500' }, known), false);
    assert.equal(reportedBefore({ path: 'INBOX', highestModseq: '10', uidNext: 99 }, known), true, 'HIGHESTMODSEQ first');
    assert.equal(reportedBefore({ path: 'INBOX', uidNext: 10 }, known), true, 'no HIGHESTMODSEQ in the report: UIDNEXT');
    assert.equal(reportedBefore({ path: 'INBOX', uidNext: 10, highestModseq: '1' }, { path: 'INBOX', uidNext: 11 }), true);
    assert.equal(reportedBefore({ path: 'INBOX', uidNext: 11 }, known), false);
    assert.equal(reportedBefore({ path: 'INBOX', uidNext: 12 }, known), false);
    assert.equal(reportedBefore({ path: 'INBOX', messages: 1 }, { path: 'INBOX', messages: 2 }), false);
    assert.equal(reportedBefore({ path: 'INBOX', uidNext: 3 }, { path: 'INBOX', highestModseq: '5' }), false, 'nothing to compare');
  });
});

describe('text the mirror can store', () => {
  it('shows and stores a NUL as U+FFFD, and leaves other text as it is', () => {
    assert.equal(storableText('before\0after\0'), 'before\uFFFDafter\uFFFD');
    assert.equal(storableText('plain'), 'plain');
    assert.equal(storableText(undefined), undefined);
  });

  it('binds no text with a NUL, whichever field it is in', () => {
    const m: CachedMessage = {
      uid: 1, uidValidity: '1', folder: 'INBOX', subject: 's\0', from: { name: 'n\0', address: 'a\0@x' }, to: [{ name: 't\0' }], cc: [],
      flags: { seen: false, flagged: false, answered: false, deleted: false, draft: false }, hasAttachment: false, size: 1,
      messageId: '<m\0>', inReplyTo: '<r\0>', references: ['<x\0>'], listId: 'l\0', githubReason: 'g\0', preview: 'p\0', keywords: ['k'],
    };
    const values = toRowValues(m);
    assert.deepEqual(values.filter((v) => typeof v === 'string' && v.includes('\0')), []);
    // Nine text columns; the addresses are JSON, whose escapes keep a NUL whole.
    assert.equal(values.filter((v) => typeof v === 'string' && v.includes('\uFFFD')).length, 9);
  });
});
