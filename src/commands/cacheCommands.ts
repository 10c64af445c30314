/** Clear Cache: asks first, since the offline copies it removes cannot be read again until fetched anew. */
import * as vscode from 'vscode';
import type { MailCaches } from '../accounts/mailCaches';

/** What a script passes to clear without being asked: `executeCommand('mailroom.clearCache', { confirm: false })`. */
export interface ClearCacheArgs {
  confirm?: boolean;
}

export function registerCacheCommands(caches: MailCaches): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mailroom.clearCache', async (args?: ClearCacheArgs): Promise<boolean> => {
      if (args?.confirm !== false) {
        const choice = await vscode.window.showWarningMessage(
          "Empty Mailroom's cache?",
          {
            modal: true,
            detail:
              'The messages you opened are no longer kept on this machine, so they cannot be read while the server is out of reach until opened again. Mail on the server is not touched.',
          },
          'Clear Cache',
        );
        if (choice !== 'Clear Cache') return false;
      }
      caches.clearAll();
      void vscode.window.showInformationMessage("Mailroom's cache is empty: opened messages are no longer kept for offline reading. Mail on the server is not touched.");
      return true;
    }),
  ];
}
