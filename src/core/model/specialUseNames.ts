/**
 * The names mail programs give special folders, for servers that do not mark them with RFC 6154
 * attributes (Courier, older Exchange and Cyrus setups, folders created by hand). Names are
 * compared without case and accents, so "ENVOYES" matches "Envoyés". Within a role, earlier names
 * are the better match when a server has several (a "Sent" beats a "Sent Mail" beside it).
 */
import type { SpecialUse } from './types';

type GuessedRole = Exclude<SpecialUse, 'inbox'>;

const NAMES: Record<Exclude<GuessedRole, 'all' | 'flagged'>, readonly string[]> = {
  sent: [
    'Sent', 'Sent Items', 'Sent Messages', 'Sent Mail', 'Sent-Mail',
    'Gesendet', 'Gesendete Elemente', 'Gesendete Objekte', 'Gesendete Nachrichten',
    'Envoyés', 'Éléments envoyés', 'Messages envoyés',
    'Enviados', 'Elementos enviados', 'Correo enviado',
    'Posta inviata', 'Inviati', 'Elementi inviati',
    'Verzonden', 'Verzonden items', 'Verzonden berichten',
    'Itens enviados', 'Enviadas', 'Mensagens enviadas',
  ],
  drafts: [
    'Drafts', 'Draft',
    'Entwürfe',
    'Brouillons',
    'Borradores',
    'Bozze',
    'Concepten',
    'Rascunhos',
  ],
  trash: [
    'Trash', 'Deleted Items', 'Deleted Messages', 'Deleted', 'Bin',
    'Papierkorb', 'Gelöschte Elemente', 'Gelöschte Objekte',
    'Corbeille', 'Éléments supprimés',
    'Papelera', 'Elementos eliminados',
    'Cestino', 'Posta eliminata', 'Elementi eliminati',
    'Prullenbak', 'Verwijderde items',
    // "Lixo" is the Trash of Portuguese (Portugal) webmail; the Junk folder there is "Lixo eletrónico".
    'Lixeira', 'Lixo', 'Itens excluídos', 'Itens eliminados',
  ],
  junk: [
    'Junk', 'Junk E-mail', 'Junk Email', 'Junk Mail', 'Spam', 'Bulk Mail',
    'Junk-E-Mail', 'Spamverdacht',
    'Indésirables', 'Courrier indésirable', 'Pourriel',
    'Correo no deseado', 'No deseado',
    'Posta indesiderata',
    'Ongewenst', 'Ongewenste e-mail',
    'Lixo eletrônico', 'Lixo eletrónico',
  ],
  archive: ['Archive', 'Archives', 'Archiv', 'Archivo', 'Archivio', 'Archief', 'Arquivo'],
};

/** Gmail keeps its system folders under `[Gmail]` (`[Google Mail]` in Germany and the UK). */
const GMAIL_PARENTS = ['[gmail]', '[google mail]'];

/** Roles that only Gmail's folders have; a folder of the user's named "Starred" is just a folder. */
const GMAIL_ONLY: Record<string, GuessedRole> = { 'all mail': 'all', starred: 'flagged' };

function fold(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').trim().toLowerCase();
}

/** Folded name → role and its rank within the role's list. */
const INDEX = new Map<string, { role: GuessedRole; rank: number }>();
for (const [role, names] of Object.entries(NAMES) as [GuessedRole, readonly string[]][]) {
  names.forEach((name, rank) => {
    if (!INDEX.has(fold(name))) INDEX.set(fold(name), { role, rank });
  });
}

export interface NameMatch {
  role: GuessedRole;
  /** Lower is better: where the folder sits (top level, under INBOX), then the name's rank. */
  score: number;
}

/**
 * The role a folder's name suggests, if it sits where special folders live: at the top level,
 * directly under INBOX (Cyrus and Courier put every folder under `INBOX.`), or under `[Gmail]`.
 * `segments` is the folder's path split at its delimiter.
 */
export function specialUseByName(segments: readonly string[]): NameMatch | undefined {
  const name = fold(segments[segments.length - 1] ?? '');
  let place: number;
  let gmail = false;
  if (segments.length === 1) {
    place = 0;
  } else if (segments.length === 2 && GMAIL_PARENTS.includes(fold(segments[0]))) {
    place = 0;
    gmail = true;
  } else if (segments.length === 2 && segments[0].toUpperCase() === 'INBOX') {
    place = 1;
  } else {
    return undefined;
  }
  const gmailRole = gmail ? GMAIL_ONLY[name] : undefined;
  if (gmailRole) {
    return { role: gmailRole, score: place * 1000 };
  }
  const match = INDEX.get(name);
  return match ? { role: match.role, score: place * 1000 + match.rank } : undefined;
}
