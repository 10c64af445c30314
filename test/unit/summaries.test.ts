/** Summaries as the mirror keeps them: the header fields grouping reads, keywords, dates. */
import * as assert from 'node:assert/strict';
import type { FetchMessageObject } from 'imapflow';
import { keywordsOf, parseHeaders, toCachedMessage } from '../../src/core/sync/summaries';

describe('summaries for the mirror', () => {
  it('reads header fields unfolded, by lower-case name, the first of each name', () => {
    const fields = parseHeaders('References: <a@x>\r\n <b@x>\r\n\t<c@x>\r\nList-ID: Widgets <w.acme>\r\nlist-id: second <ignored>\r\nX-GitHub-Reason:  mention \r\n\r\n');
    assert.equal(fields.get('references'), '<a@x> <b@x> <c@x>');
    assert.equal(fields.get('list-id'), 'Widgets <w.acme>');
    assert.equal(fields.get('x-github-reason'), 'mention');
  });

  it('ignores lines without a field name and a fold with nothing above it', () => {
    const fields = parseHeaders(' folded first\r\nno colon here\r\n: empty name\r\nSubject: ok\n');
    assert.deepEqual([...fields], [['subject', 'ok']]);
  });

  it('keeps a field of bounded length however long the server sends it', () => {
    const fields = parseHeaders(`References: ${'<x@y> '.repeat(10_000)}\r\n${' <z@y>\r\n'.repeat(5_000)}`);
    assert.ok(fields.get('references')!.length <= 2_000);
  });

  it('maps a FETCH row to the summary the mirror stores', () => {
    const row = {
      seq: 1,
      uid: 7,
      modseq: 99n,
      flags: new Set(['\\Seen', '$Forwarded', '\\Recent']),
      size: 10,
      internalDate: new Date('2026-01-14T09:00:00Z'),
      envelope: { subject: ' Hello ', messageId: '<m@x>', inReplyTo: '<p@x>', from: [{ name: 'Dana', address: 'dana@x' }] },
      headers: Buffer.from('References: <a@x> <p@x>\r\nList-ID: "Widgets" <widgets.acme.github.com>\r\nX-GitHub-Reason: review_requested\r\n\r\n'),
    } as unknown as FetchMessageObject;
    const m = toCachedMessage(row, 'INBOX', '5');
    assert.equal(m.subject, 'Hello');
    assert.equal(m.uidValidity, '5');
    assert.equal(m.modseq, '99');
    assert.deepEqual(m.keywords, ['$Forwarded']);
    assert.equal(m.internalDate, '2026-01-14T09:00:00.000Z');
    assert.equal(m.inReplyTo, '<p@x>');
    assert.deepEqual(m.references, ['<a@x>', '<p@x>']);
    assert.equal(m.listId, 'widgets.acme.github.com');
    assert.equal(m.githubReason, 'review_requested');
    assert.equal(m.flags.seen, true);
  });

  it('takes a List-Id without angle brackets as it is, and no headers as none', () => {
    const base = { seq: 1, uid: 1, flags: new Set<string>(), envelope: {} };
    assert.equal(toCachedMessage({ ...base, headers: Buffer.from('List-Id: plain.list\r\n') } as unknown as FetchMessageObject, 'A', '1').listId, 'plain.list');
    const none = toCachedMessage(base as unknown as FetchMessageObject, 'A', '1');
    assert.equal(none.listId, undefined);
    assert.equal(none.references, undefined);
    assert.deepEqual(keywordsOf(new Set(['\\Flagged', '\\DELETED'])), undefined);
  });
});
