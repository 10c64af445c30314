/**
 * The fill asks for its next chunk while it stores the last (`imap/fetchAhead.ts`), behind
 * imapflow's back: on the wire, under tags of its own; a link cut in the middle of such a chunk is
 * an error, never an empty chunk, and the mirror, resumed after the reconnect, ends as the server
 * is. Against Dovecot, through the test proxy.
 */
import * as assert from 'node:assert/strict';
import type { ImapFlow } from 'imapflow';
import { AccountSession } from '../../src/core/account/accountSession';
import { MailCache } from '../../src/core/cache/mailCache';
import { silentLog } from '../../src/core/imap/log';
import type { MirrorProgress } from '../../src/core';
import { startDovecot, type DovecotServer } from '../support/dovecot';
import { simpleMessage } from '../support/fixtures';
import { startImapProxy, type ImapProxy } from '../support/imapProxy';
import { otherClient } from '../support/otherClient';

describe('the fill asks for the next chunk while it stores the last', function () {
  this.timeout(90_000);
  let server: DovecotServer;
  let proxy: ImapProxy;
  let other: ImapFlow;
  const transcript: string[] = [];

  before(async () => {
    server = await startDovecot();
    other = await otherClient(server);
    for (const folder of ['Whole', 'Cut']) {
      await server.createFolder('alice', folder);
      for (let i = 1; i <= 200; i++) await other.append(folder, simpleMessage(`${folder} ${i}`));
    }
    proxy = await startImapProxy(server.port, { transcript });
  });
  after(async () => {
    await other?.logout().catch(() => undefined);
    await proxy?.stop();
    await server?.stop();
  });

  function session(cache: MailCache): AccountSession {
    return new AccountSession({ id: 'alice', name: 'Alice', host: '127.0.0.1', port: proxy.port, security: 'none', user: 'alice' }, 'secret', {
      log: silentLog,
      pollInterval: 600,
      pageSize: 20,
      fillChunk: 20,
      cache,
      backoff: { initial: 200, max: 1_000 },
    });
  }

  async function serverUids(folder: string): Promise<number[]> {
    await other.mailboxOpen(folder);
    return ((await other.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
  }

  function whole(s: AccountSession, folder: string): Promise<void> {
    return new Promise((resolve) => {
      const sub = s.onDidProgress((p: MirrorProgress) => {
        if (p.path === folder && p.whole) {
          sub.dispose();
          resolve();
        }
      });
    });
  }

  it('writes the chunks after the first of a step under tags of its own, and the mirror ends whole and exact', async () => {
    const cache = new MailCache(MailCache.IN_MEMORY, { log: silentLog, maxBodyBytes: 0 });
    const s = session(cache);
    try {
      await s.connect();
      const done = whole(s, 'Whole');
      await s.openFolder('Whole');
      await done;
      const ahead = transcript.filter((line) => /^C: ma\d+ FETCH \d+:\d+ \(UID FLAGS ENVELOPE/.test(line));
      // 200 messages: the page (20), then 9 chunks of 20, all but the first of a step asked ahead.
      assert.ok(ahead.length >= 4, `chunks asked ahead: ${ahead.length}`);
      assert.deepEqual(cache.uids('Whole'), await serverUids('Whole'));
      // The connection is imapflow's again: its own commands are answered.
      const body = await s.readMessage('Whole', cache.uids('Whole')[0]);
      assert.ok(body);
    } finally {
      s.dispose();
      cache.close();
    }
  });

  it('a link cut in the middle of a chunk asked ahead stores none of it; the fill resumes and the mirror ends exact', async () => {
    const cache = new MailCache(MailCache.IN_MEMORY, { log: silentLog, maxBodyBytes: 0 });
    const s = session(cache);
    try {
      await s.connect();
      // The third chunk below the page: 121 to 140, cut after 5 of its 20 lines.
      const cut = proxy.cutAfterWhenClientSends(/^ma\d+ FETCH 121:140 \(UID FLAGS ENVELOPE/, 5);
      const done = whole(s, 'Cut');
      await s.openFolder('Cut');
      await cut;
      // Right after the cut: what is stored is contiguous from the top, none of the cut chunk.
      const uids = await serverUids('Cut');
      const stored = cache.uids('Cut');
      assert.deepEqual(stored, uids.slice(uids.length - stored.length), 'the stored part has no hole');
      const chunk = uids.slice(120, 140);
      const kept = chunk.filter((uid) => stored.includes(uid)).length;
      assert.ok(kept === 0 || kept === chunk.length, `${kept} of the cut chunk's 20 stored`);
      await done;
      assert.deepEqual(cache.uids('Cut'), uids);
    } finally {
      s.dispose();
      cache.close();
    }
  });
});
