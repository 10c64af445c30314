/**
 * The `contextValue` of each kind of tree row: the node's kind first, then its state, joined by
 * `+` (`message+unread+flagged`). package.json's menus match these with regexes such as
 * `^message\+unread` and `\+flagged`, so the order of the parts is part of the contract: the kind,
 * then read/unread, then the optional flags. No `vscode` import, so plain tests can check every
 * state against the menus.
 */
import type { ConnectionState, MessageSummary } from '../core';

/** `message+read|unread[+flagged][+answered][+attachment]`. */
export function messageContextValue(m: Pick<MessageSummary, 'flags' | 'hasAttachment'>): string {
  return join('message', m.flags.seen ? 'read' : 'unread', m.flags.flagged && 'flagged', m.flags.answered && 'answered', m.hasAttachment && 'attachment');
}

/** `folder+selectable|container[+unread][+inbox]`: the Inbox is never renamed or deleted. */
export function folderContextValue(selectable: boolean, unseen: number | undefined, inbox = false): string {
  return join('folder', selectable ? 'selectable' : 'container', (unseen ?? 0) > 0 && 'unread', inbox && 'inbox');
}

/** `account+online|connecting|offline|failed`. */
export function accountContextValue(state: ConnectionState['kind']): string {
  return join('account', state);
}

function join(...parts: (string | false)[]): string {
  return parts.filter((p): p is string => Boolean(p)).join('+');
}
