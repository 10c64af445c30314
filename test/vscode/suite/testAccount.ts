/** The setup the extension suites share: Mailroom activated, an account on a test server added, and removed after. */
import * as vscode from 'vscode';
import type { MailroomApi } from '../../../src/extension';

/** Activates Mailroom (a no-op once it is active) and returns what it exposes to the tests. */
export async function activateMailroom(): Promise<MailroomApi> {
  return (await vscode.extensions.all.find((e) => e.packageJSON.name === 'mailroom')!.activate()) as MailroomApi;
}

/** Adds an account for alice on a test server on 127.0.0.1 and returns its id. */
export async function addTestAccount(name: string, port: number): Promise<string> {
  return (await vscode.commands.executeCommand('mailroom.addAccount', { name, host: '127.0.0.1', port, security: 'none', user: 'alice', password: 'secret' })) as string;
}

/** Removes the account if it was added; a failure to remove it does not fail the suite's cleanup. */
export async function removeTestAccount(id: string): Promise<void> {
  if (id) await vscode.commands.executeCommand('mailroom.removeAccount', id).then(undefined, () => undefined);
}
