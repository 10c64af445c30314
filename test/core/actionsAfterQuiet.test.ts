/**
 * A person pauses, then triages. After both connections have gone quiet past the IDLE delay, each
 * of the user's actions is confirmed by the server within a second: archive (MOVE), a move of
 * several, delete to Trash, delete for good (UID EXPUNGE), flags on several, mark all read, the
 * undo of a move, and an action taken offline once the account is back. The server's truth is
 * read by a second IMAP client, and the mirror and the rows shown must agree with it. Clicking
 * Archive twice on the same message (at once, or after the first was done) moves it once, says
 * nothing went wrong, and Undo then brings it back; Undo pressed twice at once takes back the
 * last two actions, each once.
 *
 * On Dovecot, Cyrus, and Dovecot without MOVE (COPY, \Deleted, UID EXPUNGE) and without UIDPLUS
 * either (the bare EXPUNGE, accepted); each as shipped and with the command connection left to
 * imapflow's automatic IDLE (issue 13 §1: a command queued behind it waited 30 s, then the link
 * was closed). The IDLE delay is a session option here (`quietSpell.ts`).
 */
import * as assert from 'node:assert/strict';
import type { AccountSession, ActionFailure, ActionReceipt, FolderInfo, MoveOptions } from '../../src/core';
import { offline, shownSubjects, startActionWorld, uidsOf, type ActionWorld } from '../support/actionWorld';
import { ANSWER_MS, answersInTime, describeIdle, quietActionSession, quietSpell } from '../support/quietSpell';
import { nextEvent, until } from '../support/waitFor';

const DOVECOT_WITHOUT_MOVE =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT UIDPLUS NAMESPACE CHILDREN LIST-EXTENDED ESEARCH LIST-STATUS BINARY LITERAL+ SPECIAL-USE CONDSTORE QRESYNC';

interface ServerKind {
  name: string;
  /** `startActionWorld`'s arguments. */
  capabilities?: string;
  stripCopyUid?: boolean;
  /** Where a folder named `name` lives (Cyrus keeps the user's folders under INBOX). */
  folder(name: string): string;
  /** What every removal is given: without UIDPLUS, the bare EXPUNGE accepted. */
  removal: MoveOptions;
  /** The command that moves or copies messages out (one per folder and set). */
  moveCommand: RegExp;
  /**
   * Also run with the command connection in IDLE: on Dovecot only (CI's time is bounded); the
   * actions go through imapflow's public methods, which end an IDLE the same way on every server.
   */
  commandIdleToo?: boolean;
}

const KINDS: ServerKind[] = [
  { name: 'Dovecot', folder: (name) => name, removal: {}, moveCommand: /^C: \S+ UID MOVE /, commandIdleToo: true },
  { name: 'Cyrus', capabilities: 'cyrus', folder: (name) => `INBOX.${name}`, removal: {}, moveCommand: /^C: \S+ UID MOVE / },
  { name: 'Dovecot without MOVE', capabilities: DOVECOT_WITHOUT_MOVE, folder: (name) => name, removal: {}, moveCommand: /^C: \S+ UID COPY / },
  {
    name: 'Dovecot without MOVE and UIDPLUS',
    capabilities: DOVECOT_WITHOUT_MOVE.replace(' UIDPLUS', ''),
    // A server without UIDPLUS says no COPYUID (Dovecot says it anyway: the proxy takes it out).
    stripCopyUid: true,
    folder: (name) => name,
    removal: { allowBareExpunge: true },
    moveCommand: /^C: \S+ UID COPY /,
  },
];

const everyFolder = (list: readonly FolderInfo[]): FolderInfo[] => list.flatMap((f) => [f, ...everyFolder(f.children)]);
const count = (list: readonly string[], subject: string) => list.filter((s) => s === subject).length;

for (const kind of KINDS) {
  describe(`actions on ${kind.name}, after the connections went quiet past the IDLE delay`, function () {
    this.timeout(120_000);
    let world: ActionWorld;
    let archive: string;
    let trash: string;
    const elsewhere = kind.folder('Elsewhere');

    before(async () => {
      world = await startActionWorld(kind.capabilities, { stripCopyUid: kind.stripCopyUid });
      await world.fill(elsewhere, 'Elsewhere', 1);
      for (const commandIdles of idleVariants(kind)) await world.fill(kind.folder(variantName(commandIdles)), variantName(commandIdles), 20);
      const handle = world.session('roles');
      await handle.session.connect();
      const folders = everyFolder(await handle.session.wholeFolderTree());
      archive = folders.find((f) => f.specialUse === 'archive')!.path;
      trash = folders.find((f) => f.specialUse === 'trash')!.path;
      handle.close();
      for (const commandIdles of idleVariants(kind)) await world.fill(trash, `${variantName(commandIdles)} trashed`, 2);
    });
    after(async () => world?.stop());

    for (const commandIdles of idleVariants(kind)) {
      describe(describeIdle(commandIdles), () => {
        const prefix = variantName(commandIdles);
        const folder = kind.folder(prefix);
        let handle: ReturnType<typeof quietActionSession>;
        let session: AccountSession;
        const failures: ActionFailure[] = [];

        beforeEach(async () => {
          handle = quietActionSession(world, prefix, commandIdles);
          session = handle.session;
          failures.length = 0;
          session.onDidFailAction((failure) => failures.push(failure));
          await session.connect();
          await session.wholeFolderTree();
        });
        afterEach(() => {
          handle?.close();
          // A test that failed offline leaves the next one a server to reach.
          world.proxy.accepting = true;
        });

        /** Opens `path` with every message shown, then leaves the connections quiet past the IDLE delay. */
        async function openThenQuiet(path: string): Promise<void> {
          await session.openFolder(path);
          while (session.loadedMessages(path)!.hasOlder) await session.loadOlder(path);
          await quietSpell(world, commandIdles);
          world.transcript.length = 0;
        }

        /** Waits for the server to confirm action `receipt`, which must take less than ANSWER_MS, and fail nowhere. */
        async function confirmed(receipt: ActionReceipt): Promise<void> {
          await answersInTime(receipt.description, () => session.whenDone(receipt.id));
          assert.deepEqual(failures, [], 'no action failed');
        }

        /** The server has moved `subjects` from `from` to `to`, each once; the mirror and the rows of `from` agree. */
        async function movedOnServer(subjects: string[], uids: number[], from: string, to: string): Promise<void> {
          const left = await world.subjectsOnServer(from);
          const arrived = await world.subjectsOnServer(to);
          for (const subject of subjects) {
            assert.equal(count(left, subject), 0, `${subject} left ${from}`);
            assert.equal(count(arrived, subject), 1, `${subject} in ${to} once`);
          }
          await session.catchUpFolder(from);
          assert.deepEqual(shownSubjects(session, from), left, `the rows of ${from} as the server holds it`);
          for (const uid of uids) assert.equal(handle.cache.message(from, uid), undefined, `UID ${uid} out of the mirror of ${from}`);
        }

        /** A plain Undo is confirmed in time and puts `subject` back from the archive, once, on the server and in the window. */
        async function archiveUndone(subject: string): Promise<void> {
          await answersInTime('undoing the archive', async () => {
            const undone = await session.undo();
            assert.ok(undone, 'something to undo');
            await session.whenDone(undone.id);
          });
          assert.equal(count(await world.subjectsOnServer(folder), subject), 1, 'back on the server once');
          assert.equal(count(await world.subjectsOnServer(archive), subject), 0, 'out of the archive');
          await until(() => shownSubjects(session, folder).includes(subject), ANSWER_MS, 'the row back in the window');
        }

        it('archives a message', async () => {
          await openThenQuiet(folder);
          const subjects = [`${prefix} 1`];
          const uids = uidsOf(session, folder, subjects);
          const receipt = session.archive(folder, uids, kind.removal);
          assert.ok(!shownSubjects(session, folder).includes(subjects[0]), 'gone from the window at once');
          await confirmed(receipt);
          await movedOnServer(subjects, uids, folder, archive);
        });

        it('moves several selected messages to another folder with one command', async () => {
          await openThenQuiet(folder);
          const subjects = [`${prefix} 2`, `${prefix} 4`, `${prefix} 6`];
          const uids = uidsOf(session, folder, subjects);
          await confirmed(session.moveMessages(folder, uids, elsewhere, kind.removal));
          assert.equal(world.transcript.filter((l) => kind.moveCommand.test(l)).length, 1, world.transcript.join('\n'));
          await movedOnServer(subjects, uids, folder, elsewhere);
        });

        it('deletes messages to Trash', async () => {
          await openThenQuiet(folder);
          const subjects = [`${prefix} 7`, `${prefix} 8`];
          const uids = uidsOf(session, folder, subjects);
          await confirmed(session.deleteMessages(folder, uids, kind.removal));
          await movedOnServer(subjects, uids, folder, trash);
        });

        it('deletes a message in Trash for good', async () => {
          await openThenQuiet(trash);
          const [subject, kept] = [`${prefix} trashed 1`, `${prefix} trashed 2`];
          const uids = uidsOf(session, trash, [subject]);
          await confirmed(session.deleteMessages(trash, uids, { forGood: true, ...kind.removal }));
          const expunge = kind.removal.allowBareExpunge ? /^C: \S+ EXPUNGE$/ : new RegExp(`^C: \\S+ UID EXPUNGE ${uids[0]}$`);
          assert.ok(world.transcript.some((l) => expunge.test(l)), world.transcript.join('\n'));
          const left = await world.subjectsOnServer(trash);
          assert.equal(count(left, subject), 0, 'gone from the server');
          assert.equal(count(left, kept), 1, 'the other message stays');
          await session.catchUpFolder(trash);
          assert.deepEqual(shownSubjects(session, trash), left);
          assert.equal(handle.cache.message(trash, uids[0]), undefined);
        });

        it('flags several messages', async () => {
          await openThenQuiet(folder);
          const uids = uidsOf(session, folder, [`${prefix} 10`, `${prefix} 11`, `${prefix} 12`]);
          await confirmed(session.setFlags(folder, uids, '\\Flagged', true));
          await world.other.mailboxOpen(folder);
          assert.deepEqual((await world.other.search({ flagged: true }, { uid: true })) as number[], [...uids].sort((a, b) => a - b));
          await session.catchUpFolder(folder);
          const flagged = session.loadedMessages(folder)!.messages.filter((m) => m.flags.flagged).map((m) => m.uid);
          assert.deepEqual(flagged.sort((a, b) => a - b), [...uids].sort((a, b) => a - b));
        });

        it('marks every message of the folder read', async () => {
          await openThenQuiet(folder);
          assert.ok(session.loadedMessages(folder)!.messages.some((m) => !m.flags.seen), 'unread mail to begin with');
          await confirmed(session.markAllRead(folder));
          await world.other.mailboxOpen(folder);
          assert.deepEqual((await world.other.search({ seen: false }, { uid: true })) as number[], []);
          await session.catchUpFolder(folder);
          assert.ok(session.loadedMessages(folder)!.messages.every((m) => m.flags.seen), 'every row read');
        });

        it('undoes a move', async () => {
          await session.openFolder(folder);
          const subjects = [`${prefix} 13`];
          const uids = uidsOf(session, folder, subjects);
          await session.whenDone(session.archive(folder, uids, kind.removal).id);
          // The undo acts in the archive: the command connection goes quiet with it selected, so
          // that the undo's own command, not a SELECT before it, meets the IDLE.
          await openThenQuiet(archive);
          await archiveUndone(subjects[0]);
          assert.deepEqual(shownSubjects(session, folder), await world.subjectsOnServer(folder));
        });

        it('performs an action taken offline within a second of being back', async () => {
          await openThenQuiet(folder);
          const subjects = [`${prefix} 14`, `${prefix} 15`];
          const uids = uidsOf(session, folder, subjects);
          world.proxy.accepting = false;
          world.proxy.cutAll();
          await offline(session);
          const receipt = session.archive(folder, uids, kind.removal);
          assert.ok(!shownSubjects(session, folder).some((s) => subjects.includes(s)), 'gone from the window at once');
          world.proxy.accepting = true;
          await nextEvent(session.onDidChangeState, (s) => s.kind === 'online', 20_000, 'online again');
          await confirmed(receipt);
          await movedOnServer(subjects, uids, folder, archive);
        });

        for (const when of ['at once', 'after the server confirmed the first'] as const) {
          it(`archives a message once when Archive is clicked twice ${when}, and Undo brings it back`, async () => {
            await openThenQuiet(folder);
            const subjects = [`${prefix} ${when === 'at once' ? 16 : 17}`];
            const uids = uidsOf(session, folder, subjects);
            const first = session.archive(folder, uids, kind.removal);
            if (when !== 'at once') await confirmed(first);
            const second = session.archive(folder, uids, kind.removal);
            await confirmed(first);
            await confirmed(second);
            assert.equal(world.transcript.filter((l) => kind.moveCommand.test(l)).length, 1, `moved once:\n${world.transcript.join('\n')}`);
            await movedOnServer(subjects, uids, folder, archive);
            assert.deepEqual(session.pendingActions(), []);
            await archiveUndone(subjects[0]);
          });
        }

        it('undoes the last two actions when Undo is pressed twice at once', async () => {
          await session.openFolder(folder);
          const subjects = [`${prefix} 3`, `${prefix} 5`];
          for (const uids of subjects.map((subject) => uidsOf(session, folder, [subject]))) await session.whenDone(session.archive(folder, uids, kind.removal).id);
          await openThenQuiet(archive);
          await answersInTime('undoing twice', async () => {
            const undone = await Promise.all([session.undo(), session.undo()]);
            assert.notEqual(undone[0]?.id, undone[1]?.id, 'two undos');
            for (const receipt of undone) await session.whenDone(receipt!.id);
          });
          assert.deepEqual(failures, [], 'no action failed');
          const [left, archived] = [await world.subjectsOnServer(folder), await world.subjectsOnServer(archive)];
          for (const subject of subjects) assert.deepEqual([count(left, subject), count(archived, subject)], [1, 0], `${subject} back once`);
          await until(() => subjects.every((subject) => shownSubjects(session, folder).includes(subject)), ANSWER_MS, 'the rows back in the window');
        });

        // A click again is new once the first was taken back: the rows are back under the same UIDs.
        it('archives again after the server refused the first archive', async () => {
          await openThenQuiet(folder);
          const subjects = [`${prefix} 18`];
          const uids = uidsOf(session, folder, subjects);
          const refusal = world.proxy.refuseWhenClientSends(new RegExp(kind.moveCommand.source.replace('^C: ', '^')));
          const refused = session.archive(folder, uids, kind.removal);
          await answersInTime('the refusal', async () => {
            await refusal;
            await assert.rejects(session.whenDone(refused.id), /the server refused/);
          });
          assert.ok(shownSubjects(session, folder).includes(subjects[0]), 'back in the window');
          failures.length = 0;
          const again = session.archive(folder, uids, kind.removal);
          assert.notEqual(again.id, refused.id);
          await confirmed(again);
          await movedOnServer(subjects, uids, folder, archive);
        });

        it('archives again after an archive taken offline was undone before it ran', async () => {
          await openThenQuiet(folder);
          const subjects = [`${prefix} 19`];
          const uids = uidsOf(session, folder, subjects);
          world.proxy.accepting = false;
          world.proxy.cutAll();
          await offline(session);
          const first = session.archive(folder, uids, kind.removal);
          assert.equal((await session.undo())?.id, first.id, 'taken back before it reached the server');
          assert.ok(shownSubjects(session, folder).includes(subjects[0]), 'back in the window');
          const again = session.archive(folder, uids, kind.removal);
          assert.notEqual(again.id, first.id);
          world.proxy.accepting = true;
          await nextEvent(session.onDidChangeState, (s) => s.kind === 'online', 20_000, 'online again');
          await confirmed(again);
          await movedOnServer(subjects, uids, folder, archive);
        });
      });
    }
  });
}

/** The folder (and subject prefix) of one idle policy: each has its own mail and mirror file. */
/** Shipped (the command connection never IDLEs), and with it in IDLE where the kind asks for it. */
function idleVariants(kind: ServerKind): boolean[] {
  return kind.commandIdleToo ? [false, true] : [false];
}

function variantName(commandIdles: boolean): string {
  return commandIdles ? 'Idling' : 'Shipped';
}
