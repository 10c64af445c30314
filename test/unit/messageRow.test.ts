/**
 * What a message row says: who as the label (the recipient in Sent and Drafts, a long name cut),
 * then when and the subject without the tag every notification repeats, so that a narrow side bar
 * cuts the subject and never the sender or date; an icon for the state that no menu action uses,
 * and a decoration for unread rows.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Address } from '../../src/core/model/types';
import { capName, NAME_MAX, recipients, ROW_STATE_ICONS, rowText, shortDate, splitSubjectTag, stateIcon, unreadDecoration, UNREAD_COLOR, type RowSummary } from '../../src/tree/messageRow';

const now = new Date(2026, 11, 3, 16, 0);
const flags = (over: Partial<RowSummary['flags']> = {}) => ({ seen: true, flagged: false, answered: false, deleted: false, draft: false, ...over });
const summary = (over: Partial<RowSummary> = {}): RowSummary => ({
  subject: 'Hello',
  from: { name: 'Dana Demo', address: 'notifications@github.com' },
  to: [{ name: 'Alice', address: 'alice@example.com' }],
  date: new Date(2026, 11, 3, 14, 5).toISOString(),
  flags: flags(),
  hasAttachment: false,
  ...over,
});

describe('message rows', () => {
  describe('the subject tag', () => {
    it('moves a leading [owner/repo] out of the subject, after Re: too', () => {
      assert.deepEqual(splitSubjectTag('[dana-demo/mailroom] Run failed: CI - main (abc1234)'), { subject: 'Run failed: CI - main (abc1234)', tag: 'dana-demo/mailroom' });
      assert.deepEqual(splitSubjectTag('Re: [microsoft/vscode] Tree view badges (Issue #123)'), { subject: 'Re: Tree view badges (Issue #123)', tag: 'microsoft/vscode' });
      assert.deepEqual(splitSubjectTag('RE[2]: AW: [list] news'), { subject: 'RE[2]: AW: news', tag: 'list' });
      assert.deepEqual(splitSubjectTag('[mailroom-dev] Proposal'), { subject: 'Proposal', tag: 'mailroom-dev' });
    });

    it('keeps tags that differ per message, tags in the middle, and a tag that is the whole subject', () => {
      for (const subject of ['[PATCH v2 3/7] tree: rows', 'Build [octo/repo] passed', '[octo/repo]', '[octo/repo]  ', 'Hello', '']) {
        assert.deepEqual(splitSubjectTag(subject), { subject });
      }
      assert.deepEqual(splitSubjectTag(`[${'x'.repeat(61)}] long`), { subject: `[${'x'.repeat(61)}] long` });
    });
  });

  describe('label and description', () => {
    it('a GitHub notification: the sender as label; time, subject and repository after it', () => {
      const text = rowText(summary({ subject: '[dana-demo/mailroom] Run failed: CI - main (abc1234)' }), 'inbox', now, 'en-GB');
      assert.equal(text.label, 'Dana Demo');
      assert.equal(text.description, '14:05 · Run failed: CI - main (abc1234) · dana-demo/mailroom');
      assert.equal(text.accessibility, '[dana-demo/mailroom] Run failed: CI - main (abc1234), from Dana Demo, 14:05');
    });

    it('who and when come before a long subject, so the row\'s end cuts the subject only', () => {
      const subject = 'Re: Allow webviews to opt out of the default link handler when the panel is moved (Issue #241689)';
      const text = rowText(summary({ subject }), 'inbox', now, 'en-GB');
      assert.equal(text.label, 'Dana Demo');
      assert.ok(text.description.startsWith('14:05 · Re: Allow webviews'), text.description);
      assert.ok(text.description.endsWith('(Issue #241689)'), 'the whole subject, for a wide side bar');
    });

    it('a long name is cut to NAME_MAX characters, so it cannot push the date out', () => {
      const long = rowText(summary({ from: { name: 'Continuous Integration Service of Example Corp' } }), 'inbox', now, 'en-GB');
      assert.equal(long.label, 'Continuous Inte…');
      assert.equal([...long.label].length, NAME_MAX);
      assert.match(long.accessibility, /from Continuous Integration Service of Example Corp, 14:05$/);
      assert.equal(capName('x'.repeat(NAME_MAX)), 'x'.repeat(NAME_MAX));
      assert.equal(capName(`${'😀'.repeat(NAME_MAX)}!`), `${'😀'.repeat(NAME_MAX - 1)}…`, 'whole code points');
      assert.equal(capName('Bartholomew Li Jones'), 'Bartholomew Li…', 'no space before the ellipsis');
    });

    it('without a tag: date and subject only; a tag that repeats the sender is not shown twice', () => {
      const plain = rowText(summary(), undefined, now, 'en-GB');
      assert.deepEqual([plain.label, plain.description], ['Dana Demo', '14:05 · Hello']);
      const github = rowText(summary({ subject: '[GitHub] A new public key', from: { name: 'GitHub', address: 'noreply@github.com' } }), 'inbox', now, 'en-GB');
      assert.deepEqual([github.label, github.description], ['GitHub', '14:05 · A new public key']);
    });

    it('Sent and Drafts show the recipient, not the account\'s own name', () => {
      const to: Address[] = [{ name: 'Maria Santos', address: 'maria@example.com' }, { address: 'bob@example.com' }];
      for (const role of ['sent', 'drafts'] as const) {
        const text = rowText(summary({ to, from: { name: 'Dana Demo', address: 'dana@example.com' } }), role, now, 'en-GB');
        assert.deepEqual([text.label, text.description], ['To: Maria Santos +1', '14:05 · Hello'], role);
        assert.match(text.accessibility, /, to Maria Santos \+1, 14:05$/);
      }
      const far = rowText(summary({ to: [{ name: 'Maria Santos-Villanueva', address: 'maria@example.com' }, {}] }), 'sent', now, 'en-GB');
      assert.equal(far.label, 'To: Maria Santo… +1', 'the name cut, "To:" and the count kept');
      assert.equal(rowText(summary(), 'trash', now, 'en-GB').label, 'Dana Demo');
    });

    it('names recipients by name, else address, and says when there is none', () => {
      assert.equal(recipients([]), 'To: (no recipient)');
      assert.equal(recipients([{ address: 'bob@example.com' }]), 'To: bob@example.com');
      assert.equal(recipients([{}, {}, {}]), 'To: (unknown) +2');
    });

    it('an empty subject, an unknown sender, no date', () => {
      const text = rowText(summary({ subject: '  ', from: undefined, date: undefined }), undefined, now, 'en-GB');
      assert.deepEqual([text.label, text.description], ['(unknown sender)', '(no subject)']);
      assert.equal(text.accessibility, '(no subject), from (unknown sender)');
    });

    it('tells a screen reader that a row is unread and flagged', () => {
      const text = rowText(summary({ flags: flags({ seen: false, flagged: true }) }), undefined, now, 'en-GB');
      assert.equal(text.accessibility, 'Unread, Flagged, Hello, from Dana Demo, 14:05');
    });

    it('dates, short: the time today, day and month this year, all in numbers before that', () => {
      assert.equal(shortDate(new Date(2026, 11, 3, 9, 7).toISOString(), now, 'en-GB'), '9:07');
      assert.equal(shortDate(new Date(2026, 11, 3, 14, 5).toISOString(), now, 'en-US'), '2:05 PM');
      assert.equal(shortDate(new Date(2026, 10, 12, 9, 7).toISOString(), now, 'en-GB'), '12 Nov');
      assert.equal(shortDate(new Date(2024, 10, 12, 9, 7).toISOString(), now, 'en-GB'), '12/11/24');
      assert.equal(shortDate(new Date(2024, 10, 12, 9, 7).toISOString(), now, 'en-US'), '11/12/24');
      assert.equal(shortDate(undefined, now, 'en-GB'), '');
      assert.equal(shortDate('not a date', now, 'en-GB'), '');
    });
  });

  describe('state: icon and decoration', () => {
    it('one icon for the most telling state', () => {
      assert.deepEqual(stateIcon({ flags: flags({ seen: false, flagged: true }), hasAttachment: true }), { id: 'star-full', color: 'charts.orange' });
      assert.deepEqual(stateIcon({ flags: flags({ seen: false, answered: true }), hasAttachment: true }), { id: 'mail', color: 'charts.blue' });
      assert.deepEqual(stateIcon({ flags: flags({ answered: true }), hasAttachment: true }), { id: 'reply' });
      assert.deepEqual(stateIcon({ flags: flags(), hasAttachment: true }), { id: 'attach' });
      assert.deepEqual(stateIcon({ flags: flags(), hasAttachment: false }), { id: 'mail-read' });
    });

    it('a badge and a colour for unread rows only', () => {
      assert.deepEqual(unreadDecoration('unread'), { badge: '●', tooltip: 'Unread', color: UNREAD_COLOR });
      assert.equal(unreadDecoration(''), undefined);
      assert.equal(unreadDecoration('read'), undefined);
    });

    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));

    it('the unread colour is contributed, so themes can change it', () => {
      assert.ok(manifest.contributes.colors.some((c: { id: string }) => c.id === UNREAD_COLOR));
    });

    it('no menu action of a message row uses an icon that a row shows as its state', () => {
      const menus: { command: string; when: string }[] = manifest.contributes.menus['view/item/context'];
      const onMessages = new Set(menus.filter((m) => /viewItem =~ \/\^message|\\\+flagged/.test(m.when)).map((m) => m.command));
      const icons = (manifest.contributes.commands as { command: string; icon?: string }[])
        .filter((c) => onMessages.has(c.command) && c.icon)
        .map((c) => ({ command: c.command, icon: c.icon!.replace(/^\$\((.*)\)$/, '$1') }));
      assert.ok(icons.length >= 4, `message actions with icons: ${JSON.stringify(icons)}`);
      for (const { command, icon } of icons) assert.ok(!ROW_STATE_ICONS.includes(icon), `${command} uses the state icon ${icon}`);
      for (const seen of [false, true]) {
        for (const flagged of [false, true]) {
          for (const answered of [false, true]) {
            for (const hasAttachment of [false, true]) {
              assert.ok(ROW_STATE_ICONS.includes(stateIcon({ flags: flags({ seen, flagged, answered }), hasAttachment }).id));
            }
          }
        }
      }
    });
  });
});
