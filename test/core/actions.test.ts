/**
 * The user's actions as tasks (issue 14 §1), against Dovecot with MOVE and UIDPLUS, each checked by
 * a second IMAP client (the server's truth): one UID MOVE for 500 rows, archive, Trash and delete
 * for good, flags and mark all read, undo through COPYUID, a refusal taken back, an action offline,
 * and sync and live reports that must not put back a row a pending move holds.
 */
import * as assert from 'node:assert/strict';
import { ActionNeedsConfirmation, type ActionFailure, type FolderChange } from '../../src/core';
import { nextEvent, until } from '../support/waitFor';
import { offline, shownSubjects, startActionWorld, uidsOf, type ActionWorld } from '../support/actionWorld';

const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix} ${from + i}`).sort();

describe('actions on mail, as tasks, on Dovecot with MOVE and UIDPLUS', function () {
  this.timeout(120_000);
  let world: ActionWorld;
  let handle: ReturnType<ActionWorld['session']>;
  const changes: FolderChange[] = [];
  const failures: ActionFailure[] = [];

  before(async () => {
    world = await startActionWorld();
    await world.fill('Bulk', 'Bulk', 500);
    await world.other.mailboxCreate('Moved');
    for (const folder of ['Triage', 'Flags', 'Refused', 'Away', 'Held']) await world.fill(folder, folder, 6);
    handle = world.session();
    handle.session.onDidChangeMessages((change) => changes.push(change));
    handle.session.onDidFailAction((failure) => failures.push(failure));
    await handle.session.connect();
  });
  after(async () => world?.stop());

  async function open(folder: string, pageSize = 50): Promise<void> {
    world.transcript.length = 0;
    await handle.session.openFolder(folder);
    while (shownSubjects(handle.session, folder).length < Math.min(pageSize, (await world.subjectsOnServer(folder)).length)) await handle.session.loadOlder(folder);
  }

  /** Opens `folder` and waits until the listening connection watches it (its EXAMINE, then IDLE). */
  async function openWatched(folder: string): Promise<void> {
    await open(folder);
    await until(() => {
      const examined = world.transcript.findIndex((l) => new RegExp(`^C: \\S+ EXAMINE ${folder}\\b`).test(l));
      return examined >= 0 && world.transcript.slice(examined).some((l) => /^C: \S+ IDLE$/.test(l));
    }, 10_000, `the watcher on ${folder}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  it('moves 500 selected rows with one UID MOVE, and the rows leave the window before the server answers', async () => {
    await handle.session.openFolder('Bulk');
    while (handle.session.loadedMessages('Bulk')!.hasOlder) await handle.session.loadOlder('Bulk');
    const uids = handle.session.loadedMessages('Bulk')!.messages.map((m) => m.uid);
    assert.equal(uids.length, 500);
    world.transcript.length = 0;
    changes.length = 0;
    const receipt = handle.session.moveMessages('Bulk', uids, 'Moved');
    // The local part is synchronous: the window and the event say so before any answer.
    assert.deepEqual(handle.session.loadedMessages('Bulk')!.messages, []);
    assert.equal(changes.filter((c) => c.folder === 'Bulk').flatMap((c) => c.removed).length, 500);
    await handle.session.whenDone(receipt.id);
    const moves = world.transcript.filter((l) => /^C: \S+ UID MOVE /.test(l));
    assert.equal(moves.length, 1, moves.join('\n'));
    assert.match(moves[0], /^C: \S+ UID MOVE \d+:\d+ Moved$/);
    assert.equal((await world.subjectsOnServer('Bulk')).length, 0);
    assert.equal((await world.subjectsOnServer('Moved')).length, 500);
    assert.equal(handle.cache.uids('Bulk').length, 0);
  });

  it('archives, moves to Trash, and deletes for good in Trash without touching other \\Deleted mail', async () => {
    await open('Triage');
    const [one, two, three] = uidsOf(handle.session, 'Triage', ['Triage 1', 'Triage 2', 'Triage 3']);
    await handle.session.whenDone(handle.session.archive('Triage', [one]).id);
    await handle.session.whenDone(handle.session.deleteMessages('Triage', [two, three]).id);
    assert.deepEqual(await world.subjectsOnServer('Triage'), range('Triage', 4, 6));
    assert.deepEqual((await world.subjectsOnServer('Archive')).filter((s) => s.startsWith('Triage')), ['Triage 1']);
    assert.deepEqual((await world.subjectsOnServer('Trash')).filter((s) => s.startsWith('Triage')), ['Triage 2', 'Triage 3']);

    // Another client marked a message of Trash \Deleted and left it there: it must stay.
    await world.other.mailboxOpen('Trash');
    const theirs = (await world.other.search({ header: { subject: 'Triage 3' } }, { uid: true })) as number[];
    await world.other.messageFlagsAdd(theirs, ['\\Deleted'], { uid: true });
    await open('Trash');
    assert.equal(handle.session.deletesForGood('Trash'), true);
    const mine = uidsOf(handle.session, 'Trash', ['Triage 2']);
    assert.throws(() => handle.session.deleteMessages('Trash', mine), (err: unknown) => err instanceof ActionNeedsConfirmation && err.reason === 'delete-for-good');
    world.transcript.length = 0;
    await handle.session.whenDone(handle.session.deleteMessages('Trash', mine, { forGood: true }).id);
    assert.deepEqual((await world.subjectsOnServer('Trash')).filter((s) => s.startsWith('Triage')), ['Triage 3']);
    assert.ok(world.transcript.some((l) => new RegExp(`^C: \\S+ UID EXPUNGE ${mine[0]}$`).test(l)), world.transcript.join('\n'));
    assert.ok(!world.transcript.some((l) => /^C: \S+ EXPUNGE/.test(l)), 'never a bare EXPUNGE');
  });

  it('sets and clears flags with one STORE per folder, and marks a folder read with STORE 1:*', async () => {
    await open('Flags');
    const uids = uidsOf(handle.session, 'Flags', ['Flags 1', 'Flags 2', 'Flags 3']);
    world.transcript.length = 0;
    const flagged = handle.session.setFlags('Flags', uids, '\\Flagged', true);
    assert.ok(handle.session.loadedMessages('Flags')!.messages.filter((m) => uids.includes(m.uid)).every((m) => m.flags.flagged), 'shown at once');
    await handle.session.whenDone(flagged.id);
    assert.equal(world.transcript.filter((l) => /^C: \S+ UID STORE .*\\Flagged/.test(l)).length, 1, world.transcript.join('\n'));
    await world.other.mailboxOpen('Flags');
    assert.deepEqual((await world.other.search({ flagged: true }, { uid: true })) as number[], [...uids].sort((a, b) => a - b));

    await handle.session.whenDone(handle.session.markAllRead('Flags').id);
    assert.ok(world.transcript.some((l) => /^C: \S+ STORE 1:\* \+FLAGS/.test(l)), world.transcript.join('\n'));
    await world.other.mailboxOpen('Flags');
    assert.deepEqual((await world.other.search({ seen: false }, { uid: true })) as number[], []);
    assert.ok(handle.session.loadedMessages('Flags')!.messages.every((m) => m.flags.seen));

    // Undo of the flags: only the messages the action changed.
    const undone = await handle.session.undo(flagged.id);
    await handle.session.whenDone(undone!.id);
    await world.other.mailboxOpen('Flags');
    assert.deepEqual((await world.other.search({ flagged: true }, { uid: true })) as number[], []);
  });

  it('a plain undo takes back the user\'s last action, not a message marked read by opening it', async () => {
    await open('Triage');
    const [flaggedUid, openedUid] = uidsOf(handle.session, 'Triage', ['Triage 5', 'Triage 6']);
    const flagged = handle.session.setFlags('Triage', [flaggedUid], '\\Flagged', true);
    await handle.session.whenDone(flagged.id);
    // Opening a message marks it read by itself, after the user's action.
    await handle.session.setFlag('Triage', openedUid, '\\Seen', true);
    const undone = await handle.session.undo();
    assert.equal(undone?.description.includes('Flagged') || undone?.description.includes('flag'), true, undone?.description);
    await handle.session.whenDone(undone!.id);
    await world.other.mailboxOpen('Triage');
    assert.deepEqual((await world.other.search({ flagged: true }, { uid: true })) as number[], [], 'the flag undone');
    assert.ok(((await world.other.search({ seen: true }, { uid: true })) as number[]).includes(openedUid), 'the opened message stays read');
  });

  it('undoes a move through the UIDs of COPYUID', async () => {
    await open('Away');
    const uids = uidsOf(handle.session, 'Away', ['Away 1', 'Away 2']);
    const moved = handle.session.archive('Away', uids);
    await handle.session.whenDone(moved.id);
    assert.deepEqual((await world.subjectsOnServer('Away')), range('Away', 3, 6));
    world.transcript.length = 0;
    const undone = await handle.session.undo();
    assert.ok(undone);
    await handle.session.whenDone(undone.id);
    assert.deepEqual(await world.subjectsOnServer('Away'), range('Away', 1, 6));
    assert.deepEqual((await world.subjectsOnServer('Archive')).filter((s) => s.startsWith('Away')), []);
    assert.ok(world.transcript.some((l) => /^C: \S+ UID MOVE \S+ Away$/.test(l)), world.transcript.join('\n'));
    assert.ok(!world.transcript.some((l) => /SEARCH/.test(l)), 'no search: COPYUID said where they went');
    await until(() => shownSubjects(handle.session, 'Away').length === 6, 10_000, 'the rows back in the window');
  });

  it('takes back a move the server refuses for good and says so', async () => {
    await open('Refused');
    const uids = uidsOf(handle.session, 'Refused', ['Refused 1']);
    failures.length = 0;
    const refusal = world.proxy.refuseWhenClientSends(/^\S+ UID MOVE /);
    const receipt = handle.session.archive('Refused', uids);
    assert.ok(!shownSubjects(handle.session, 'Refused').includes('Refused 1'), 'gone from the window at once');
    await refusal;
    // In plain words, with the server's own (imapflow hands back only `false`; its log entry has them).
    await assert.rejects(handle.session.whenDone(receipt.id), /^Error: Could not archive 1 message from Refused: the server refused \(it said: refused by the test proxy\)\. The messages are back where they were\.$/);
    // Asked again after the refusal: still the refusal, not "done".
    await assert.rejects(handle.session.whenDone(receipt.id), /the server refused/);
    assert.ok(shownSubjects(handle.session, 'Refused').includes('Refused 1'), 'back in the window');
    assert.equal(failures.length, 1);
    assert.match(failures[0].message, /back where they were/);
    assert.deepEqual(await world.subjectsOnServer('Refused'), range('Refused', 1, 6));
    assert.deepEqual(handle.session.pendingActions(), []);

    // A flag change refused: the flag shown goes back to what it was.
    const flagRefusal = world.proxy.refuseWhenClientSends(/^\S+ UID STORE /);
    const flagged = handle.session.setFlags('Refused', uids, '\\Flagged', true);
    const shownFlag = () => handle.session.loadedMessages('Refused')!.messages.find((m) => m.uid === uids[0])!.flags.flagged;
    assert.equal(shownFlag(), true);
    await flagRefusal;
    await assert.rejects(handle.session.whenDone(flagged.id), /Could not flag 1 message in Refused: the server refused .*shown as they were/);
    assert.equal(shownFlag(), false);
    assert.equal(failures.length, 2);
  });

  it('tries again a move the server could not do just now (INUSE, RFC 5530), and does it', async () => {
    await open('Refused');
    const uids = uidsOf(handle.session, 'Refused', ['Refused 2']);
    failures.length = 0;
    world.transcript.length = 0;
    const busy = world.proxy.refuseWhenClientSends(/^\S+ UID MOVE /, 'NO [INUSE] Mailbox is locked by another session');
    const receipt = handle.session.archive('Refused', uids);
    await busy;
    assert.deepEqual(handle.session.pendingActions().map((a) => a.id), [receipt.id], 'still pending after the INUSE');
    await handle.session.whenDone(receipt.id);
    assert.deepEqual(failures, [], 'a refusal that passed was told to the user');
    assert.ok(!(await world.subjectsOnServer('Refused')).includes('Refused 2'));
    assert.ok((await world.subjectsOnServer('Archive')).includes('Refused 2'));
    // The transcript has what reached the server: the refused MOVE stayed with the proxy.
    assert.equal(world.transcript.filter((l) => /^C: \S+ UID MOVE /.test(l)).length, 1, 'the MOVE tried again');
  });

  it('does not put back a row a pending move holds, whatever a catch-up or a live report says meanwhile', async () => {
    await open('Held');
    const [uid] = uidsOf(handle.session, 'Held', ['Held 1']);
    const held = world.proxy.holdWhenClientSends(/^\S+ UID MOVE /);
    const receipt = handle.session.archive('Held', [uid]);
    const letGo = await held;
    // The server still has it: another client flags it (a live report), and the folder catches up.
    await world.other.mailboxOpen('Held');
    await world.other.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const catchUp = handle.session.catchUpFolder('Held');
    assert.ok(!shownSubjects(handle.session, 'Held').includes('Held 1'));
    assert.equal(handle.cache.message('Held', uid), undefined);
    letGo();
    await handle.session.whenDone(receipt.id);
    await catchUp;
    assert.ok(!shownSubjects(handle.session, 'Held').includes('Held 1'), 'not put back');
    assert.equal(handle.cache.message('Held', uid), undefined);
    assert.deepEqual(await world.subjectsOnServer('Held'), range('Held', 2, 6));
  });

  it('keeps the queue across a restart (a new session on the same mirror file) and performs it', async () => {
    await world.fill('Restart', 'Restart', 3);
    const first = world.session('restart');
    await first.session.connect();
    await first.session.openFolder('Restart');
    const [one, two] = uidsOf(first.session, 'Restart', ['Restart 1', 'Restart 2']);
    world.proxy.accepting = false;
    world.proxy.cutAll();
    await offline(first.session);
    first.session.archive('Restart', [one]);
    first.session.setFlags('Restart', [two], '\\Flagged', true);
    first.close();

    // Clear Cache meanwhile: the queue stays, and the folder's first page comes from the server,
    // which still holds the archived message until the task runs (the page's sync goes first: it
    // was queued on the folder's owner before the connect that starts the queue).
    const cleared = world.session('restart');
    assert.equal(cleared.session.pendingActions().length, 2);
    cleared.cache.clear();
    cleared.close();
    world.proxy.accepting = true;
    const second = world.session('restart');
    assert.deepEqual(second.session.pendingActions().map((a) => a.description), ['archive 1 message from Restart', 'flag 1 message in Restart']);
    await second.session.openFolder('Restart');
    assert.deepEqual(shownSubjects(second.session, 'Restart'), ['Restart 2', 'Restart 3'], 'the archived row stays out of the first page');
    assert.equal(second.cache.message('Restart', one), undefined, 'and out of the mirror');
    await second.session.connect();
    await until(() => second.session.pendingActions().length === 0, 20_000, 'the queue performed');
    assert.deepEqual(await world.subjectsOnServer('Restart'), ['Restart 2', 'Restart 3']);
    assert.deepEqual((await world.subjectsOnServer('Archive')).filter((s) => s.startsWith('Restart')), ['Restart 1']);
    await world.other.mailboxOpen('Restart');
    assert.deepEqual((await world.other.search({ flagged: true }, { uid: true })) as number[], [two]);
    await second.session.catchUpFolder('Restart');
    assert.deepEqual(shownSubjects(second.session, 'Restart'), ['Restart 2', 'Restart 3']);
    second.close();
    await until(() => handle.session.connectionState.kind === 'online', 20_000, 'the main session back online');
  });

  it('keeps the flags a pending action set, whatever a live report of older flags says meanwhile', async () => {
    await world.fill('Flagging', 'Flagging', 2);
    await openWatched('Flagging');
    const [uid] = uidsOf(handle.session, 'Flagging', ['Flagging 1']);
    const isFlagged = () => handle.session.loadedMessages('Flagging')!.messages.find((m) => m.uid === uid)!.flags.flagged;
    // The folder's owner is busy (a catch-up whose answer is held back), so a report queues behind it.
    const busy = world.proxy.holdWhenClientSends(/^\S+ UID FETCH .*CHANGEDSINCE/);
    const catchUp = handle.session.catchUpFolder('Flagging');
    const letCatchUpGo = await busy;
    // Another client reads the message: the report says FLAGS (\Seen), no \Flagged (the server has none yet).
    await world.other.mailboxOpen('Flagging');
    await world.other.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    await new Promise((resolve) => setTimeout(resolve, 700));
    const receipt = handle.session.setFlags('Flagging', [uid], '\\Flagged', true);
    assert.equal(isFlagged(), true, 'flagged at once');
    // The report is applied after the catch-up, while the flag's STORE waits for its answer.
    const storing = world.proxy.holdWhenClientSends(/^\S+ UID STORE /);
    letCatchUpGo();
    await catchUp;
    const letStoreGo = await storing;
    assert.equal(isFlagged(), true, 'still flagged after the older report, while the STORE waits');
    letStoreGo();
    await handle.session.whenDone(receipt.id);
    await until(() => handle.session.loadedMessages('Flagging')!.messages.find((m) => m.uid === uid)!.flags.seen, 10_000, 'the other client\'s \\Seen shown after');
    assert.equal(isFlagged(), true);
  });

  it('keeps the MODSEQ the server gave its STORE, so a report older than the STORE cannot undo it', async () => {
    await world.fill('Stale', 'Stale', 2);
    await open('Stale');
    const [uid] = uidsOf(handle.session, 'Stale', ['Stale 1']);
    const before = handle.cache.message('Stale', uid)!.modseq!;
    await handle.session.whenDone(handle.session.setFlags('Stale', [uid], '\\Flagged', true).id);
    // Right after the confirmation, before the catch-up that follows the task.
    await world.other.mailboxOpen('Stale');
    const onServer = await world.other.fetchOne(String(uid), { flags: true }, { uid: true });
    assert.ok(onServer && onServer.modseq);
    assert.equal(handle.cache.message('Stale', uid)!.modseq, String(onServer.modseq));
    // A report of the flags from before the STORE (a MODSEQ between) is older than what is stored.
    const older = String(BigInt(before) + 1n);
    assert.ok(BigInt(older) < onServer.modseq);
    const unflagged = { ...handle.cache.message('Stale', uid)!.flags, flagged: false };
    assert.deepEqual(handle.cache.setFlags('Stale', [{ uid, flags: unflagged, modseq: older }]), []);
    assert.equal(handle.session.loadedMessages('Stale')!.messages.find((m) => m.uid === uid)!.flags.flagged, true);
  });

  it('performs an action taken offline once the account is back, and shows it at once', async () => {
    await world.fill('Later', 'Later', 4);
    await open('Later');
    const uids = uidsOf(handle.session, 'Later', ['Later 1', 'Later 2']);
    world.proxy.accepting = false;
    world.proxy.cutAll();
    await offline(handle.session);
    const receipt = handle.session.deleteMessages('Later', uids);
    assert.deepEqual(shownSubjects(handle.session, 'Later'), range('Later', 3, 4));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(await world.subjectsOnServer('Later'), range('Later', 1, 4), 'nothing done while offline');
    assert.equal(handle.session.pendingActions().length, 1);
    world.proxy.accepting = true;
    await nextEvent(handle.session.onDidChangeState, (s) => s.kind === 'online', 20_000, 'online again');
    await handle.session.whenDone(receipt.id);
    assert.deepEqual(await world.subjectsOnServer('Later'), range('Later', 3, 4));
    assert.deepEqual((await world.subjectsOnServer('Trash')).filter((s) => s.startsWith('Later')), ['Later 1', 'Later 2']);
  });
});
