/**
 * A person pauses. Every operation on a session whose connections have gone quiet past the IDLE
 * delay answers within a second, on Dovecot and on Cyrus: opening a folder that stayed selected
 * (and its catch-up), opening another, loading older mail, reading, downloading an attachment,
 * setting a flag, previews, the background fill resuming, and a catch-up after new mail.
 *
 * Each runs twice: as shipped (the command connection never IDLEs; the listening one does), and
 * with the command connection left to imapflow's automatic IDLE, so that every path that reaches
 * into imapflow (`imapflowInternals.ts`) is seen to end an IDLE before it writes. Before that door,
 * a NOOP queued through imapflow's `exec` waited behind the IDLE until the 30 s deadline closed the
 * connection. The delay is a session option here; the last suite waits out the real 15 s.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AccountSession, SessionOptions } from '../../src/core/account/accountSession';
import { MailCache } from '../../src/core/cache/mailCache';
import { silentLog } from '../../src/core/imap/log';
import { startCyrus } from '../support/cyrus';
import { startDovecot } from '../support/dovecot';
import { fixture, simpleMessage } from '../support/fixtures';
import { userSession, type TestImapServer } from '../support/session';
import { ANSWER_MS, answersInTime, IDLE_DELAY_MS, pause } from '../support/quietSpell';
import { until } from '../support/waitFor';

/** The quiet before each operation here: well past the IDLE delay (both connections idle by then). */
const QUIET_MS = 1_200;

interface Server extends TestImapServer {
  deliver(user: string, folder: string, raw: string | Buffer): Promise<void>;
  createFolder(user: string, path: string): Promise<void>;
  stop(): Promise<void>;
}

/** `previews`: whether the server fills PREVIEW in (Cyrus 3.6 as Debian ships it answers NIL). */
function quietSuite(serverName: string, start: () => Promise<Server>, folder: (name: string) => string, previews: boolean): void {
  for (const commandIdles of [false, true]) {
    const how = commandIdles ? 'with the command connection in IDLE too' : 'as shipped (the listening connection in IDLE)';
    describe(`${serverName}, after the connections went quiet past the IDLE delay, ${how}`, function () {
      this.timeout(60_000);
      let server: Server;
      let session: AccountSession;
      let dir: string;
      const work = folder('Work');
      const third = folder('Third');
      const filled = folder('Filled');
      const options = (more: Partial<SessionOptions> = {}): Partial<SessionOptions> => ({
        pageSize: 2,
        fillChunk: 0,
        idle: { commandIdle: commandIdles ? IDLE_DELAY_MS : false, watchIdleDelay: IDLE_DELAY_MS },
        ...more,
      });

      before(async () => {
        server = await start();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-quiet-'));
        for (const name of [work, third, filled]) await server.createFolder('alice', name);
        await server.deliver('alice', 'INBOX', fixture('multipart-attachment.eml'));
        for (let i = 1; i <= 5; i++) {
          await server.deliver('alice', 'INBOX', simpleMessage(`Inbox ${i}`, { body: `Body of inbox message ${i}.` }));
          await server.deliver('alice', work, simpleMessage(`Work ${i}`));
          await server.deliver('alice', third, simpleMessage(`Third ${i}`, { body: `Preview text ${i}` }));
          await server.deliver('alice', filled, simpleMessage(`Filled ${i}`));
        }
      });
      beforeEach(async () => {
        session = userSession(server, 'alice', options());
        await session.connect();
        await session.openFolder('INBOX');
        await pause(QUIET_MS);
      });
      const caches: MailCache[] = [];
      afterEach(() => {
        session?.dispose();
        for (const cache of caches.splice(0)) cache.close();
      });
      after(async () => {
        await server?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
      });

      it('opens the folder that stayed selected, and catches it up', async () => {
        session.closeFolder('INBOX');
        await answersInTime('opening INBOX again and catching it up', async () => {
          const page = await session.openFolder('INBOX');
          assert.equal(page.messages.length, 2);
          await session.catchUpFolder('INBOX');
        });
      });

      it('opens another folder from the server', async () => {
        const page = await answersInTime(`opening ${work}`, () => session.openFolder(work));
        assert.deepEqual(page.messages.map((m) => m.subject), ['Work 5', 'Work 4']);
      });

      it('loads older mail the mirror does not hold yet', async () => {
        const page = await answersInTime('loading older INBOX mail', () => session.loadOlder('INBOX'));
        assert.equal(page.messages.length, 4);
      });

      it('reads a message, and downloads its attachment', async () => {
        const oldest = session.loadedMessages('INBOX')!.messages.at(-1)!;
        const read = await answersInTime('reading a message', () => session.readMessage('INBOX', oldest.uid));
        assert.match(read.content.text ?? read.content.html ?? '', /Body of inbox message 4/);
        await session.loadOlder('INBOX');
        await session.loadOlder('INBOX');
        const withAttachment = session.loadedMessages('INBOX')!.messages.find((m) => m.uid === 1)!;
        await pause(QUIET_MS);
        const message = await answersInTime('reading the message with an attachment', () => session.readMessage('INBOX', withAttachment.uid));
        assert.ok(message.content.attachments.length > 0, 'the fixture has attachments');
        await pause(QUIET_MS);
        const file = await answersInTime('downloading an attachment', () => session.downloadAttachment('INBOX', withAttachment.uid, 0));
        assert.ok(file.content.length > 0);
      });

      it('sets a flag', async () => {
        const newest = session.loadedMessages('INBOX')!.messages[0];
        await answersInTime('flagging a message', () => session.setFlag('INBOX', newest.uid, '\\Flagged', true));
        await until(() => session.loadedMessages('INBOX')!.messages[0].flags.flagged, ANSWER_MS, 'the flag in the window');
      });

      it('shows previews of a folder opened after the pause', async function () {
        if (!previews) this.skip();
        const started = Date.now();
        await session.openFolder(third);
        await until(() => session.loadedMessages(third)?.messages.every((m) => m.preview), ANSWER_MS, 'previews of the page');
        assert.ok(Date.now() - started < ANSWER_MS);
      });

      it('resumes the background fill of a mirror kept from the last session', async () => {
        session.dispose();
        const file = path.join(dir, `fill-${commandIdles}.sqlite`);
        const first = new MailCache(file, { log: silentLog, maxBodyBytes: 0 });
        const before = userSession(server, 'alice', options({ cache: first }));
        await before.connect();
        await before.openFolder(filled);
        before.dispose();
        first.close();
        const cache = new MailCache(file, { log: silentLog, maxBodyBytes: 0 });
        session = userSession(server, 'alice', options({ cache, fillChunk: 2 }));
        caches.push(cache);
        await session.connect();
        await pause(QUIET_MS);
        const started = Date.now();
        await session.openFolder(filled);
        await until(() => session.mirrorProgress(filled)?.whole, ANSWER_MS, 'the whole folder mirrored');
        assert.ok(Date.now() - started < ANSWER_MS);
      });

      it('catches up with mail that came during the pause', async () => {
        await server.deliver('alice', 'INBOX', simpleMessage('Came while quiet'));
        await until(
          () => session.loadedMessages('INBOX')?.messages.some((m) => m.subject === 'Came while quiet'),
          ANSWER_MS,
          'the new message in the window',
        );
      });
    });
  }
}

quietSuite('Dovecot', () => startDovecot(), (name) => name, true);
quietSuite('Cyrus', () => startCyrus({ idled: true }), (name) => `INBOX.${name}`, false);

describe('Dovecot, after the real 15 s IDLE delay', function () {
  this.timeout(60_000);
  let server: Server;
  const sessions: AccountSession[] = [];

  before(async () => {
    server = await startDovecot();
    for (let i = 1; i <= 3; i++) await server.deliver('alice', 'INBOX', simpleMessage(`Inbox ${i}`));
  });
  after(async () => {
    for (const s of sessions) s.dispose();
    await server?.stop();
  });

  it('opens the folder that stayed selected within a second, as shipped and with the command connection in IDLE', async () => {
    // imapflow's own default delay: the one a user meets.
    sessions.push(userSession(server, 'alice'), userSession(server, 'alice', { idle: { commandIdle: 15_000 } }));
    for (const s of sessions) {
      await s.connect();
      await s.openFolder('INBOX');
      s.closeFolder('INBOX');
    }
    await pause(17_000);
    await Promise.all(
      sessions.map((s, i) =>
        answersInTime(`session ${i + 1}: opening INBOX again and catching it up`, async () => {
          await s.openFolder('INBOX');
          await s.catchUpFolder('INBOX');
        }),
      ),
    );
  });
});
