/**
 * What the message webview asks the host to do for the message it shows: open a link outside VS
 * Code, save an attachment. The webview renders hostile mail, so the host decides again what it
 * does: only some link schemes open, and an attachment's name is cleaned before the save dialog
 * offers it.
 */
import * as os from 'os';
import * as vscode from 'vscode';
import { type MailLog, type MessageContent, messageNodeId, type MessageRef } from '../core';
import type { ResolveSource } from './messagePanel';
import { describe, errorText } from './messageErrors';

const OPENABLE_SCHEMES = new Set(['http', 'https', 'mailto']);

/** Opens a link of the message in the browser or mail program, if its scheme is one that may open. */
export async function openLink(href: string, log: MailLog): Promise<void> {
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(href, true);
  } catch {
    log.warn('ignored a link that is not a valid URL');
    return;
  }
  // The webview already filters links; the host decides again, since it is the one that acts.
  if (!OPENABLE_SCHEMES.has(uri.scheme.toLowerCase())) {
    log.warn(`ignored a ${uri.scheme}: link from a message`);
    return;
  }
  await vscode.env.openExternal(uri);
}

/** The message a panel shows now. "Try Again" after a failed save reads it again. */
export interface ShownMessage {
  readonly messageRef: MessageRef | undefined;
  readonly shownContent: MessageContent | undefined;
}

/** Saves attachment `index` of the shown message where the user chooses; a failure offers "Try Again". */
export async function saveAttachment(shown: ShownMessage, index: number, resolveSource: ResolveSource, log: MailLog): Promise<void> {
  const ref = shown.messageRef;
  const attachment = shown.shownContent?.attachments.find((a) => a.index === index);
  if (!ref || !attachment) {
    return;
  }
  const source = await resolveSource(ref.accountId);
  const name = safeFilename(attachment.filename);
  if (!source) {
    void vscode.window.showErrorMessage(`Could not save ${name}: the account of this message is no longer configured.`);
    return;
  }
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(defaultSaveFolder(), name),
    saveLabel: 'Save Attachment',
    title: `Save ${name}`,
  });
  if (!target) {
    return;
  }
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Saving ${name}…` }, async () => {
      const { content } = await source.downloadAttachment(ref.folder, ref.uid, index);
      await vscode.workspace.fs.writeFile(target, content);
    });
    vscode.window.setStatusBarMessage(`Saved ${name}`, 5000);
  } catch (err) {
    log.warn(`could not save attachment ${index} of ${messageNodeId(ref)}: ${describe(err)}`);
    void vscode.window.showErrorMessage(`Could not save ${name}: ${errorText(err)}`, 'Try Again').then((choice) => {
      if (choice === 'Try Again') {
        void saveAttachment(shown, index, resolveSource, log);
      }
    });
  }
}

/** A file name the save dialog can offer: no folders, no control characters, no hidden files. */
export function safeFilename(name: string): string {
  const cleaned = (name.split(/[/\\]/).pop() ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 200);
  return cleaned || 'attachment';
}

function defaultSaveFolder(): vscode.Uri {
  return vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
}
