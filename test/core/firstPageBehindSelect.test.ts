/**
 * A folder opened cold asks for its newest page in the same write as its SELECT, from the count the
 * folder list knows. That count can be stale (mail came or went since), so the page must come out
 * right whatever it says: exact, too high (the range starts past the last message), too low (more
 * than a page comes), for an empty folder, and behind a SELECT the server refuses. Each time the
 * connection must stay in step with imapflow: the FETCH's tagged answer is never seen by it.
 * Against Dovecot (plain and over TLS) and Cyrus.
 */
import * as assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { MailCache } from '../../src/core/cache/mailCache';
import { silentLog } from '../../src/core/imap/log';
import { firstPageBehindSelect, syncMirror, type MirrorChange } from '../../src/core/sync/folderMirror';
import { holdingFolder } from '../../src/core/sync/selectedFolder';
import { startCyrus } from '../support/cyrus';
import { startDovecot } from '../support/dovecot';

const PAGE = 10;
const COUNT = 30;

interface TestServer {
  port: number;
  /** Implicit TLS (RFC 8314): the commands go through a TLS socket, which must carry both in one write too. */
  secure?: boolean;
  password: string;
  /** Folder names as the server spells them. */
  folder(name: string): string;
  stop(): Promise<void>;
}

const SERVERS: { name: string; start: () => Promise<TestServer> }[] = [
  {
    name: 'Dovecot',
    start: async () => {
      const server = await startDovecot();
      return { port: server.port, password: server.users.alice, folder: (name) => name, stop: () => server.stop() };
    },
  },
  {
    name: 'Dovecot over TLS',
    start: async () => {
      const server = await startDovecot({ tls: true });
      return { port: server.tlsPort!, secure: true, password: server.users.alice, folder: (name) => name, stop: () => server.stop() };
    },
  },
  {
    name: 'Cyrus',
    start: async () => {
      const server = await startCyrus();
      return { port: server.port, password: server.users.alice, folder: (name) => `INBOX.${name}`, stop: () => server.stop() };
    },
  },
];

for (const variant of SERVERS) {
  describe(`the first page asked for with the SELECT (${variant.name})`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let client: ImapFlow;
    let other: ImapFlow;
    /** imapflow's warnings and the commands written, as its log tells them. */
    const warnings: string[] = [];
    const written: string[] = [];
    let cache: MailCache;
    let folderUids: number[] = [];

    const connect = async (log: boolean) => {
      const logger = log
        ? {
            debug: (entry: { src?: string; msg?: string }) => void (entry.src === 'c' && entry.msg && written.push(entry.msg)),
            info: () => undefined,
            warn: (entry: unknown) => void warnings.push(JSON.stringify(entry)),
            error: (entry: unknown) => void warnings.push(JSON.stringify(entry)),
          }
        : false;
      const c = new ImapFlow({
        host: '127.0.0.1',
        port: server.port,
        secure: server.secure ?? false,
        // The test server's own certificate: what is tested here is the commands, not the trust.
        tls: { rejectUnauthorized: false },
        doSTARTTLS: false,
        auth: { user: 'alice', pass: server.password },
        logger: logger as never,
        qresync: true,
      });
      c.on('error', () => undefined);
      await c.connect();
      return c;
    };

    before(async () => {
      server = await variant.start();
      client = await connect(true);
      other = await connect(false);
      await other.mailboxCreate(server.folder('Full'));
      await other.mailboxCreate(server.folder('Empty'));
      await other.mailboxCreate(server.folder('Away'));
      for (let i = 1; i <= COUNT; i++) await other.append(server.folder('Full'), `Subject: report ${i}\r\nMessage-ID: <r${i}@example.org>\r\n\r\nbody ${i}\r\n`);
      await other.mailboxOpen(server.folder('Full'));
      folderUids = ((await other.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
      await other.mailboxOpen(server.folder('Away'));
    });
    after(async () => {
      await client?.logout().catch(() => undefined);
      await other?.logout().catch(() => undefined);
      await server?.stop();
    });
    beforeEach(() => {
      cache = new MailCache(MailCache.IN_MEMORY, { log: silentLog, maxBodyBytes: 0 });
      warnings.length = 0;
      written.length = 0;
    });
    afterEach(() => cache.close());

    /** Opens `name` cold, as a folder shown with `count` messages, the way the session does. */
    const openCold = async (name: string, count: number): Promise<MirrorChange> => {
      // Another folder selected first: every open sends a SELECT.
      await holdingFolder(client, server.folder('Away'), async () => undefined);
      const path = server.folder(name);
      return holdingFolder(
        client,
        path,
        (held, _path, behind) => syncMirror(held, cache, { pageSize: PAGE, behind }),
        (held) => firstPageBehindSelect(held, cache, path, PAGE, count),
      );
    };

    const assertNewestPage = (change: MirrorChange) => {
      const shown = change.firstPage?.messages.map((m) => m.uid).sort((a, b) => a - b);
      assert.deepEqual(shown, folderUids.slice(-PAGE));
      assert.deepEqual(cache.uids(server.folder('Full')), folderUids.slice(-PAGE), 'the page is stored as shown');
    };

    /** The connection still answers in step: a command after the open gets its own answer. */
    const assertInStep = async () => {
      const status = await client.status(server.folder('Empty'), { messages: true });
      assert.equal(status && status.messages, 0);
      assert.deepEqual(warnings.filter((w) => /unknown tag|desynchroni[sz]ation|not in flight/i.test(w)), [], 'imapflow saw no tag it did not know');
    };

    it('goes out with the SELECT, and is the page, when the count is right', async () => {
      const change = await openCold('Full', COUNT);
      assertNewestPage(change);
      const select = written.findIndex((m) => /SELECT "?(INBOX\.)?Full/.test(m));
      assert.match(written[select + 1] ?? '', new RegExp(`FETCH ${COUNT - PAGE + 1}:\\* .*behind the SELECT`), written.join('\n'));
      assert.equal(written.filter((m) => /FETCH/.test(m)).length, 1, `one FETCH, no second ask:\n${written.join('\n')}`);
      await assertInStep();
    });

    it('is fetched again when the count is too high (mail went since): the range started past it', async () => {
      // 35 shown, 30 there: the FETCH asks for 26:*, half the page. 45 shown: 36:*, past the last
      // message (Dovecot refuses such a range, Cyrus answers with the last message).
      for (const count of [COUNT + 5, COUNT + 15]) {
        cache.removeFolders([server.folder('Full')]);
        const change = await openCold('Full', count);
        assertNewestPage(change);
      }
      await assertInStep();
    });

    it('is cut to the page when the count is too low (mail came since)', async () => {
      for (const count of [5, COUNT - 8]) {
        cache.removeFolders([server.folder('Full')]);
        const change = await openCold('Full', count);
        assertNewestPage(change);
      }
      await assertInStep();
    });

    it('is empty for a folder that emptied since it was counted', async () => {
      const change = await openCold('Empty', 3);
      assert.deepEqual(change.firstPage?.messages, []);
      assert.equal(cache.folder(server.folder('Empty'))?.syncedFrom, 1);
      await assertInStep();
    });

    it('leaves the connection in step when the server refuses the SELECT', async () => {
      await assert.rejects(openCold('Gone', 20));
      await assertInStep();
      // And the next open of a real folder works.
      assertNewestPage(await openCold('Full', COUNT));
    });
  });
}
