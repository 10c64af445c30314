/** One id builder: the tree, the panels and the webview's state name a message the same way. */
import * as assert from 'node:assert/strict';
import { accountNodeId, folderNodeId, messageNodeId, parseMessageNodeId } from '../../src/core/model/ids';

describe('ids of accounts, folders and messages', () => {
  it('nest: a message id starts with its folder id, which starts with its account id', () => {
    const ref = { accountId: 'work', folder: 'INBOX', uidValidity: '1795317390', uid: 42 };
    assert.equal(accountNodeId('work'), 'account/work');
    assert.equal(folderNodeId('work', 'INBOX'), 'account/work/folder/INBOX');
    assert.equal(messageNodeId(ref), 'account/work/folder/INBOX/msg/1795317390:42');
  });

  it('read back exactly, even for folder paths with slashes, dots and "msg" in them', () => {
    for (const folder of ['INBOX', 'Lists/vscode/msg/old', 'INBOX.Büro', 'a/b/c']) {
      const ref = { accountId: 'work-2', folder, uidValidity: '4294967295', uid: 7 };
      assert.deepEqual(parseMessageNodeId(messageNodeId(ref)), ref);
    }
  });

  it('tell messages in the same folder apart by UIDVALIDITY as well as UID', () => {
    const a = messageNodeId({ accountId: 'w', folder: 'INBOX', uidValidity: '1', uid: 5 });
    const b = messageNodeId({ accountId: 'w', folder: 'INBOX', uidValidity: '2', uid: 5 });
    assert.notEqual(a, b);
  });

  it('read nothing from ids that are not message ids', () => {
    for (const id of ['account/work', 'account/work/folder/INBOX', 'account/work/folder/INBOX/load-more', 'account/w/folder/INBOX/msg/x:1']) {
      assert.equal(parseMessageNodeId(id), undefined, id);
    }
  });
});
