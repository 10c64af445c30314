/** Composes Mailroom's services and registers them; holds no logic of its own. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AccountStore } from './accounts/accountStore';
import { FolderRoles } from './accounts/folderRoles';
import { MailCaches } from './accounts/mailCaches';
import { SessionRegistry } from './accounts/sessionRegistry';
import { AccountCommands } from './commands/accountCommands';
import { registerCacheCommands } from './commands/cacheCommands';
import { FolderCommands } from './commands/folderCommands';
import { MessageCommands } from './commands/messageCommands';
import { createLog } from './log';
import type { MessageSource } from './panels/messagePanel';
import { registerMessagePanels, type MessagePanelRegistry } from './panels/messagePanelRegistry';
import { affects, cacheMaxBodyMB, markSeenOnOpen } from './settings';
import { MailTreeProvider } from './tree/mailTreeProvider';
import { MessageDecorations } from './tree/messageDecorations';
import { FillProgress, MAIL_VIEW_ID } from './tree/viewProgress';
import { seedTestPasswords } from './testHooks';

/** What `activate` returns: the extension tests read the tree and panels through it. */
export interface MailroomApi {
  tree: MailTreeProvider;
  panels: MessagePanelRegistry;
  sessions: SessionRegistry;
  view: vscode.TreeView<unknown>;
  /** Accounts and their passwords in SecretStorage: the tests check what is kept and what is removed. */
  store: AccountStore;
  /** Where the accounts' mirror databases live. */
  mirrorDir: string;
  /** The folders whose mirror fill the view's progress bar shows. */
  fillProgress: FillProgress;
}

export async function activate(context: vscode.ExtensionContext): Promise<MailroomApi> {
  const { channel, log } = createLog();
  context.subscriptions.push(channel, vscode.commands.registerCommand('mailroom.showLog', () => channel.show()));

  const store = new AccountStore(context.secrets, log);
  if (context.extensionMode !== vscode.ExtensionMode.Production) {
    await seedTestPasswords(store, log);
  }
  const roles = new FolderRoles(context.globalState);
  const mirrorDir = path.join(context.globalStorageUri.fsPath, 'mirror');
  const caches = new MailCaches(mirrorDir, log, cacheMaxBodyMB() * 1024 * 1024);
  const sessions = new SessionRegistry(store, log, roles, caches);
  const tree = new MailTreeProvider(sessions);
  const fillProgress = new FillProgress(sessions);
  const view = vscode.window.createTreeView(MAIL_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  // The mirrors close with the extension; a session still writing meets a closed mirror and only logs it.
  context.subscriptions.push(sessions, caches, tree, view, view.onDidCollapseElement((e) => tree.onCollapsed(e.element)));
  context.subscriptions.push(fillProgress, new MessageDecorations().register());

  // A panel restored at startup may ask before the first sync has made the sessions.
  const panels = registerMessagePanels(context, async (accountId) => (await sessions.whenSynced(), messageSource(sessions, accountId)), log);
  context.subscriptions.push(
    ...new AccountCommands(store, sessions, log, roles).register(),
    ...new FolderCommands(sessions, roles).register(),
    ...registerCacheCommands(caches),
    ...new MessageCommands(sessions, tree, panels, view as vscode.TreeView<unknown>).register(),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, 'accounts')) void sessions.sync();
      if (affects(e, 'pollInterval')) sessions.applyPollInterval();
      if (affects(e, 'cacheMaxBodyMB')) caches.setMaxBodyMB(cacheMaxBodyMB());
    }),
  );

  await sessions.sync();
  return { tree, panels, sessions, store, mirrorDir, fillProgress, view: view as vscode.TreeView<unknown> };
}

export function deactivate(): void {
  // Everything is on context.subscriptions.
}

/** The panel reads messages through the account's session. */
function messageSource(sessions: SessionRegistry, accountId: string): MessageSource | undefined {
  const session = sessions.get(accountId);
  if (!session) return undefined;
  return {
    fetchMessage: (folder, uid, uidValidity) => session.readMessage(folder, uid, uidValidity),
    downloadAttachment: (folder, uid, index) => session.downloadAttachment(folder, uid, index),
    markSeen: async (folder, uid) => {
      if (markSeenOnOpen()) {
        await session.setFlag(folder, uid, '\\Seen', true);
      }
    },
    whenOnline: (listener) => {
      const subscription = session.onDidChangeState((state) => {
        if (state.kind === 'online') {
          subscription.dispose();
          listener();
        }
      });
      return subscription;
    },
  };
}
