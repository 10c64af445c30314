/** Composes Mailroom's services and registers them; holds no logic of its own. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AccountStore } from './accounts/accountStore';
import { FolderRoles } from './accounts/folderRoles';
import { MailCaches } from './accounts/mailCaches';
import { SessionRegistry } from './accounts/sessionRegistry';
import { AccountCommands } from './commands/accountCommands';
import { registerCacheCommands } from './commands/cacheCommands';
import { ActionFlow } from './commands/actionFlow';
import { FolderCommands } from './commands/folderCommands';
import { FolderEditCommands } from './commands/folderEditCommands';
import { MailActionCommands } from './commands/mailActionCommands';
import { MailSelection } from './commands/mailSelection';
import { MessageNavigation } from './commands/messageNavigation';
import { MoveTargets } from './commands/moveTargetPicker';
import { MessageCommands } from './commands/messageCommands';
import { createLog } from './log';
import type { MessageSource } from './panels/messagePanel';
import { registerMessagePanels, type MessagePanelRegistry } from './panels/messagePanelRegistry';
import { affects, cacheMaxBodyMB, markSeenOnOpen } from './settings';
import { MailTreeProvider } from './tree/mailTreeProvider';
import { MailDragAndDrop } from './tree/mailDragAndDrop';
import { MessageDecorations } from './tree/messageDecorations';
import { FillProgress, MAIL_VIEW_ID } from './tree/viewProgress';
import { UnreadStatus } from './status/unreadStatus';
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
  /** The tree's drag and drop: tests drop rows on a folder through it. */
  dragAndDrop: MailDragAndDrop;
  /** The badge, the status bar and the new-mail notifications: tests read what they show. */
  unreadStatus: UnreadStatus;
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
  const dragAndDrop = new MailDragAndDrop();
  const view = vscode.window.createTreeView(MAIL_VIEW_ID, {
    treeDataProvider: tree,
    showCollapseAll: true,
    canSelectMany: true,
    dragAndDropController: dragAndDrop,
  });
  // The mirrors close with the extension; a session still writing meets a closed mirror and only logs it.
  context.subscriptions.push(
    sessions,
    caches,
    tree,
    view,
    view.onDidCollapseElement((e) => tree.onCollapsed(e.element)),
    view.onDidExpandElement((e) => tree.onExpanded(e.element)),
  );
  const unreadStatus = new UnreadStatus(sessions, view as vscode.TreeView<unknown>);
  context.subscriptions.push(fillProgress, new MessageDecorations().register(), unreadStatus);

  // A panel restored at startup may ask before the first sync has made the sessions.
  const panels = registerMessagePanels(context, async (accountId) => (await sessions.whenSynced(), messageSource(sessions, accountId)), log);
  const mailView = view as vscode.TreeView<unknown>;
  const navigation = new MessageNavigation(sessions, tree, mailView, panels);
  const flow = new ActionFlow(sessions, roles);
  const actions = new MailActionCommands(sessions, new MailSelection(mailView, panels), flow, navigation, new MoveTargets(context.globalState));
  context.subscriptions.push(
    flow,
    ...navigation.register(),
    ...actions.register(),
    // A tab of a removed account would wait for it forever: it closes with the account.
    sessions.onDidChangeSessions(() => panels.closeAccountsExcept(new Set(sessions.all().map((s) => s.account.id)))),
    ...new AccountCommands(store, sessions, log, roles).register(),
    ...new FolderCommands(sessions, roles).register(),
    ...new FolderEditCommands(sessions, mailView).register(),
    ...registerCacheCommands(caches),
    ...new MessageCommands(sessions, tree, panels, view as vscode.TreeView<unknown>).register(),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, 'accounts')) void sessions.sync();
      if (affects(e, 'pollInterval')) sessions.applyPollInterval();
      if (affects(e, 'cacheMaxBodyMB')) caches.setMaxBodyMB(cacheMaxBodyMB());
    }),
  );

  await sessions.sync();
  return { tree, panels, sessions, store, mirrorDir, fillProgress, dragAndDrop, unreadStatus, view: view as vscode.TreeView<unknown> };
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
