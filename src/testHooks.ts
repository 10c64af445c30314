/**
 * For development and test hosts only (never in production): passwords handed in through the
 * environment go to SecretStorage, so a driven VS Code can use accounts configured in settings.
 */
import type { AccountStore } from './accounts/accountStore';
import type { MailLog } from './core';

export async function seedTestPasswords(store: AccountStore, log: MailLog): Promise<void> {
  const raw = process.env.MAILROOM_TEST_PASSWORDS;
  if (!raw) return;
  try {
    const passwords = JSON.parse(raw) as Record<string, unknown>;
    for (const [id, password] of Object.entries(passwords)) {
      if (typeof password === 'string') {
        await store.seedPassword(id, password);
      }
    }
    log.info(`test mode: stored passwords for ${Object.keys(passwords).length} account(s) from the environment`);
  } catch {
    log.warn('test mode: MAILROOM_TEST_PASSWORDS is not valid JSON; ignored');
  }
}
