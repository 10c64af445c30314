/**
 * Which messages a mail command acts on. The same command is reached four ways, and each hands it
 * something different: a tree menu gives `(node, selectedNodes)`, a key in the tree `'tree'`, a key
 * or the toolbar in a message tab `'panel'` (or the editor's context object), the palette nothing.
 * Whatever came, the answer is one group per account and folder, since core takes one call (one
 * UID command) per folder.
 */
import type * as vscode from 'vscode';
import type { MessageRef, MessageSummary } from '../core';
import type { MessagePanel } from '../panels/messagePanel';
import type { MessagePanelRegistry } from '../panels/messagePanelRegistry';
import { FolderNode } from '../tree/folderNode';
import { MessageNode } from '../tree/messageNode';

/** Messages of one folder of one account. */
export interface FolderGroup {
  accountId: string;
  folder: string;
  uids: number[];
  /** The rows as the tree had them, for the flags a toggle looks at. */
  summaries: MessageSummary[];
}

export interface Selection {
  groups: FolderGroup[];
  /** The message tab acted on, when the command came from one: it moves on to the next message. */
  panel?: MessagePanel;
  /** The one message a panel shows, to find its neighbour before it leaves the folder. */
  panelRef?: MessageRef;
}

export class MailSelection {
  constructor(
    private readonly view: vscode.TreeView<unknown>,
    private readonly panels: MessagePanelRegistry,
  ) {}

  /** The messages for `(first, all)` as a command received them; no groups when there are none. */
  resolve(first: unknown, all: unknown): Selection {
    if (first instanceof MessageNode) {
      const chosen = Array.isArray(all) && all.includes(first) ? all.filter((n): n is MessageNode => n instanceof MessageNode) : [first];
      return { groups: groupNodes(chosen) };
    }
    if (first === 'tree' || (first === undefined && this.selectedMessages().length)) {
      return { groups: groupNodes(this.selectedMessages()) };
    }
    const panel = this.panels.activePanel();
    const ref = panel?.messageRef;
    if (!panel || !ref) return { groups: [] };
    const summary = panel.summary;
    return { groups: [{ accountId: ref.accountId, folder: ref.folder, uids: [ref.uid], summaries: summary ? [summary] : [] }], panel, panelRef: ref };
  }

  /** The folder a folder command acts on: the node given, or the folder of what is selected or open. */
  folder(first: unknown): { accountId: string; folder: string } | undefined {
    // A key pressed in a message tab means that message's folder, whatever the tree has selected.
    const node = first instanceof FolderNode || first instanceof MessageNode ? first : first === 'panel' ? undefined : this.view.selection[0];
    if (node instanceof FolderNode) return { accountId: node.accountId, folder: node.path };
    if (node instanceof MessageNode) return { accountId: node.accountId, folder: node.parent.path };
    const ref = this.panels.activePanel()?.messageRef;
    return ref && { accountId: ref.accountId, folder: ref.folder };
  }

  private selectedMessages(): MessageNode[] {
    return this.view.selection.filter((n): n is MessageNode => n instanceof MessageNode);
  }
}

function groupNodes(nodes: readonly MessageNode[]): FolderGroup[] {
  const groups = new Map<string, FolderGroup>();
  for (const node of nodes) {
    const key = `${node.accountId}\n${node.parent.path}`;
    let group = groups.get(key);
    if (!group) {
      group = { accountId: node.accountId, folder: node.parent.path, uids: [], summaries: [] };
      groups.set(key, group);
    }
    group.uids.push(node.summary.uid);
    group.summaries.push(node.summary);
  }
  return [...groups.values()];
}

export function countOf(groups: readonly FolderGroup[]): number {
  return groups.reduce((sum, g) => sum + g.uids.length, 0);
}
