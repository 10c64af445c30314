/** Composes Mailroom's services and registers them; holds no logic of its own. */
import * as vscode from 'vscode';
import { AccountStore } from './accounts/accountStore';
import { FolderRoles } from './accounts/folderRoles';
import { SessionRegistry } from './accounts/sessionRegistry';
import { AccountCommands } from './commands/accountCommands';
import { FolderCommands } from './commands/folderCommands';
import { MessageCommands } from './commands/messageCommands';
import { createLog } from './log';
import type { MessageSource } from './panels/messagePanel';
import { registerMessagePanels, type MessagePanelRegistry } from './panels/messagePanelRegistry';
import { affects, markSeenOnOpen } from './settings';
import { MailTreeProvider } from './tree/mailTreeProvider';
import { seedTestPasswords } from './testHooks';

/** What `activate` returns: the extension tests read the tree and panels through it. */
export interface MailroomApi {
  tree: MailTreeProvider;
  panels: MessagePanelRegistry;
  sessions: SessionRegistry;
  view: vscode.TreeView<unknown>;
  /** Accounts and their passwords in SecretStorage: the tests check what is kept and what is removed. */
  store: AccountStore;
}

export async function activate(context: vscode.ExtensionContext): Promise<MailroomApi> {
  const { channel, log } = createLog();
  context.subscriptions.push(channel, vscode.commands.registerCommand('mailroom.showLog', () => channel.show()));

  const store = new AccountStore(context.secrets, log);
  if (context.extensionMode !== vscode.ExtensionMode.Production) {
    await seedTestPasswords(store, log);
  }
  const roles = new FolderRoles(context.globalState);
  const sessions = new SessionRegistry(store, log, roles);
  const tree = new MailTreeProvider(sessions);
  const view = vscode.window.createTreeView('mailroom.mail', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  context.subscriptions.push(sessions, tree, view, view.onDidCollapseElement((e) => tree.onCollapsed(e.element)));

  // A panel restored at startup may ask before the first sync has made the sessions.
  const panels = registerMessagePanels(context, async (accountId) => (await sessions.whenSynced(), messageSource(sessions, accountId)), log);
  context.subscriptions.push(
    ...new AccountCommands(store, sessions, log, roles).register(),
    ...new FolderCommands(sessions, roles).register(),
    ...new MessageCommands(sessions, tree, panels, view as vscode.TreeView<unknown>).register(),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, 'accounts')) void sessions.sync();
      if (affects(e, 'pollInterval')) sessions.applyPollInterval();
    }),
  );

  await sessions.sync();
  return { tree, panels, sessions, store, view: view as vscode.TreeView<unknown> };
}

export function deactivate(): void {
  // Everything is on context.subscriptions.
}

/** The panel reads messages through the account's session. */
function messageSource(sessions: SessionRegistry, accountId: string): MessageSource | undefined {
  const session = sessions.get(accountId);
  if (!session) return undefined;
  return {
    fetchMessage: (folder, uid) => session.readMessage(folder, uid),
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
