/**
 * Special folders recognised by name on servers that mark none (RFC 6154 attributes absent),
 * from LIST responses shaped the way imapflow returns them, plus the user's own choice.
 */
import * as assert from 'node:assert/strict';
import type { ListResponse } from 'imapflow';
import { applySpecialUseOverrides, buildFolderTree, flattenFolders } from '../../src/core/model/folders';
import type { FolderInfo, SpecialUse } from '../../src/core/model/types';

interface Entry {
  flags?: string[];
  /** As imapflow sets it: from the server (`extension`) or from its own name table (`name`). */
  specialUse?: string;
  source?: 'extension' | 'name' | 'user';
}

function listEntry(path: string, delimiter: string, e: Entry = {}): ListResponse {
  const segments = path.split(delimiter);
  return {
    path,
    pathAsListed: path,
    name: segments[segments.length - 1],
    delimiter,
    parent: segments.slice(0, -1),
    parentPath: segments.slice(0, -1).join(delimiter),
    flags: new Set(e.flags ?? []),
    specialUse: e.specialUse,
    specialUseSource: e.specialUse ? (e.source ?? 'extension') : undefined,
    listed: true,
    subscribed: true,
  };
}

/** path → role for every folder that has one. */
function roles(tree: readonly FolderInfo[]): Record<string, SpecialUse> {
  const out: Record<string, SpecialUse> = {};
  for (const f of flattenFolders(tree)) {
    if (f.specialUse) out[f.path] = f.specialUse;
  }
  return out;
}

const rolesOf = (delimiter: string, paths: string[], marked: Record<string, Entry> = {}) =>
  roles(buildFolderTree(paths.map((p) => listEntry(p, delimiter, marked[p]))));

describe('special folders recognised by name', () => {
  it('finds Courier and Cyrus folders directly under INBOX. and no deeper', () => {
    assert.deepEqual(
      rolesOf('.', ['INBOX', 'INBOX.Sent', 'INBOX.Drafts', 'INBOX.Trash', 'INBOX.Spam', 'INBOX.Archives', 'INBOX.Projects', 'INBOX.Projects.Drafts']),
      { INBOX: 'inbox', 'INBOX.Sent': 'sent', 'INBOX.Drafts': 'drafts', 'INBOX.Trash': 'trash', 'INBOX.Spam': 'junk', 'INBOX.Archives': 'archive' },
    );
  });

  it('finds Exchange folders by their English names', () => {
    assert.deepEqual(rolesOf('/', ['INBOX', 'Sent Items', 'Deleted Items', 'Junk E-mail', 'Drafts', 'Archive', 'Outbox', 'Conversation History']), {
      INBOX: 'inbox',
      'Sent Items': 'sent',
      'Deleted Items': 'trash',
      'Junk E-mail': 'junk',
      Drafts: 'drafts',
      Archive: 'archive',
    });
  });

  it('finds Gmail folders under [Gmail], including All Mail and Starred, but not a user folder named Starred', () => {
    const paths = ['INBOX', '[Gmail]', '[Gmail]/Sent Mail', '[Gmail]/Trash', '[Gmail]/Spam', '[Gmail]/Drafts', '[Gmail]/All Mail', '[Gmail]/Starred', '[Gmail]/Important', 'Starred'];
    const tree = buildFolderTree(paths.map((p) => listEntry(p, '/', p === '[Gmail]' ? { flags: ['\\Noselect'] } : {})));
    assert.deepEqual(roles(tree), {
      INBOX: 'inbox',
      '[Gmail]/Sent Mail': 'sent',
      '[Gmail]/Trash': 'trash',
      '[Gmail]/Spam': 'junk',
      '[Gmail]/Drafts': 'drafts',
      '[Gmail]/All Mail': 'all',
      '[Gmail]/Starred': 'flagged',
    });
    assert.equal(roles(buildFolderTree(['INBOX', 'Starred', 'All Mail'].map((p) => listEntry(p, '/')))).Starred, undefined);
  });

  const translated: [string, Record<string, SpecialUse>][] = [
    ['German', { Gesendet: 'sent', Entwürfe: 'drafts', Papierkorb: 'trash', Spam: 'junk', Archiv: 'archive' }],
    ['German (Outlook)', { 'Gesendete Elemente': 'sent', 'Gelöschte Elemente': 'trash', 'Junk-E-Mail': 'junk' }],
    ['French', { Envoyés: 'sent', Brouillons: 'drafts', Corbeille: 'trash', Indésirables: 'junk' }],
    ['French (Outlook)', { 'Éléments envoyés': 'sent', 'Éléments supprimés': 'trash', 'Courrier indésirable': 'junk' }],
    ['Spanish', { Enviados: 'sent', Borradores: 'drafts', Papelera: 'trash', 'Correo no deseado': 'junk', Archivo: 'archive' }],
    ['Italian', { 'Posta inviata': 'sent', Bozze: 'drafts', Cestino: 'trash', 'Posta indesiderata': 'junk' }],
    ['Dutch', { Verzonden: 'sent', Concepten: 'drafts', Prullenbak: 'trash', Ongewenst: 'junk', Archief: 'archive' }],
    ['Portuguese (Brazil)', { 'Itens enviados': 'sent', Rascunhos: 'drafts', Lixeira: 'trash', 'Lixo eletrônico': 'junk' }],
    ['Portuguese (Portugal)', { 'Itens enviados': 'sent', Rascunhos: 'drafts', Lixo: 'trash' }],
  ];
  for (const [language, expected] of translated) {
    it(`finds ${language} folders`, () => {
      assert.deepEqual(rolesOf('/', ['INBOX', ...Object.keys(expected), 'Rechnungen']), { INBOX: 'inbox', ...expected });
    });
  }

  it('ignores case and accents, as servers and old clients spell them', () => {
    assert.deepEqual(rolesOf('/', ['INBOX', 'ENVOYES', 'entwurfe', 'PAPIERKORB']), { INBOX: 'inbox', ENVOYES: 'sent', entwurfe: 'drafts', PAPIERKORB: 'trash' });
  });

  it('lets a folder the server marks keep its role, and never gives that role to a folder by its name', () => {
    const marked: Record<string, Entry> = {
      Outgoing: { flags: ['\\Sent'], specialUse: '\\Sent' },
      Trash: { flags: ['\\Archive'], specialUse: '\\Archive' },
    };
    assert.deepEqual(rolesOf('/', ['INBOX', 'Sent', 'Outgoing', 'Trash', 'Bin', 'Archive'], marked), {
      INBOX: 'inbox',
      Outgoing: 'sent',
      Trash: 'archive',
      Bin: 'trash',
    });
  });

  it('trusts an attribute in the LIST flags even where imapflow did not report it', () => {
    assert.deepEqual(rolesOf('/', ['INBOX', 'Sent', 'Postausgang'], { Postausgang: { flags: ['\\Sent'] } }), { INBOX: 'inbox', Postausgang: 'sent' });
  });

  it('guesses one folder per role: the top-level one, then the better name; imapflow\'s deeper guesses are set aside', () => {
    const marked: Record<string, Entry> = { 'Projects/Archive': { specialUse: '\\Archive', source: 'name' } };
    assert.deepEqual(rolesOf('/', ['INBOX', 'INBOX/Sent', 'Sent Mail', 'Sent', 'Projects', 'Projects/Archive', 'Spam', 'Junk'], marked), {
      INBOX: 'inbox',
      Sent: 'sent',
      Junk: 'junk',
    });
  });

  it('does not give a role to a folder that cannot be selected', () => {
    assert.deepEqual(rolesOf('/', ['INBOX', 'Trash'], { Trash: { flags: ['\\Noselect'] } }), { INBOX: 'inbox' });
  });

  it('orders guessed folders like marked ones: special folders first', () => {
    const tree = buildFolderTree(['Zeta', 'Sent Items', 'Alpha', 'INBOX', 'Deleted Items', 'Drafts'].map((p) => listEntry(p, '/')));
    assert.deepEqual(tree.map((f) => f.path), ['INBOX', 'Drafts', 'Sent Items', 'Deleted Items', 'Alpha', 'Zeta']);
  });
});

describe('the user\'s choice of special folders', () => {
  const tree = () => buildFolderTree(['INBOX', 'Sent', 'Archive', 'Receipts', 'Junk', 'Lists', 'Lists/Old'].map((p) => listEntry(p, '/')));

  it('gives a folder a role, takes that role from the folder that had it, and reorders', () => {
    const before = tree();
    const after = applySpecialUseOverrides(before, { Receipts: 'archive', 'Lists/Old': 'trash' });
    assert.deepEqual(roles(after), { INBOX: 'inbox', Sent: 'sent', Receipts: 'archive', Junk: 'junk', 'Lists/Old': 'trash' });
    assert.deepEqual(after.map((f) => f.path), ['INBOX', 'Sent', 'Receipts', 'Junk', 'Archive', 'Lists']);
    assert.deepEqual(roles(before), { INBOX: 'inbox', Sent: 'sent', Archive: 'archive', Junk: 'junk' }, 'the tree given is left unchanged');
  });

  it('makes a folder ordinary with none, and leaves INBOX the inbox', () => {
    const after = applySpecialUseOverrides(tree(), { Junk: 'none', INBOX: 'none' });
    assert.deepEqual(roles(after), { INBOX: 'inbox', Sent: 'sent', Archive: 'archive' });
    assert.equal(flattenFolders(after).find((f) => f.path === 'Junk')?.specialUse, undefined);
  });
});
