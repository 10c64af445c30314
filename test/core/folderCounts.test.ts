/**
 * Counts on connect: where the server has LIST-STATUS (RFC 5819), the level a connect waits for
 * comes with its counts in one answer, not one STATUS per folder (a round trip each over a real
 * network). Never a STATUS on the selected folder (RFC 3501 6.3.10).
 */
import * as assert from 'node:assert/strict';
import type { MailLog } from '../../src/core/imap/log';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { aliceSession } from '../support/session';
import { until } from '../support/waitFor';

describe('counts on connect', function () {
  this.timeout(30_000);
  let server: DovecotServer;

  before(async () => {
    server = await startDovecot();
    await server.createFolder('alice', 'Projects');
  });
  after(async () => {
    await server?.stop();
  });

  it('come with the top-level LIST where the server has LIST-STATUS, with no STATUS per folder', async () => {
    const sent: string[] = [];
    const log: MailLog = { trace: (m) => void (/\bC: /.test(m) && sent.push(m)), debug() {}, info() {}, warn() {}, error() {} };
    const session = aliceSession(server, { log });
    try {
      await session.connect();
      const counted = await until(() => ['Sent', 'Projects', 'Trash'].every((path) => session.countsOf(path)) && session, 5_000, 'the top-level counts');
      assert.deepEqual(counted.countsOf('Projects'), { path: 'Projects', messages: 0, unseen: 0 });
      const commands = sent.join('\n');
      assert.match(commands, /LIST "" "%" RETURN \(STATUS \(/, `the top level is listed with its counts:\n${commands}`);
      assert.doesNotMatch(commands, /STATUS "?(Sent|Projects|Trash|Drafts|Junk|Archive)"? \(/, `no STATUS for a folder LIST-STATUS counted:\n${commands}`);
    } finally {
      session.dispose();
    }
  });

  it('does not take back a count from a late report that describes the folder before the count it has', async () => {
    const session = aliceSession(server);
    try {
      await session.connect();
      await server.deliver('alice', 'Projects', 'Subject: one\r\n\r\nbody\r\n');
      await server.deliver('alice', 'Projects', 'Subject: two\r\n\r\nbody\r\n');
      const known = await until(() => session.countsOf('Projects')?.messages === 2 && session.countsOf('Projects'), 10_000, 'the count after two arrivals');
      // What NOTIFY would have sent after the first arrival, arriving only now (Dovecot reports late).
      const folderList = (session as unknown as { folderList: { apply(statuses: unknown[]): void } }).folderList;
      folderList.apply([{ path: 'Projects', messages: 1, unseen: 1, uidNext: 2, highestModseq: '1' }]);
      assert.deepEqual(session.countsOf('Projects'), known, 'the older report is not taken');
      // A report newer than the count is taken.
      await server.deliver('alice', 'Projects', 'Subject: three\r\n\r\nbody\r\n');
      await until(() => session.countsOf('Projects')?.messages === 3, 10_000, 'the count after a third arrival');
    } finally {
      session.dispose();
    }
  });
});
