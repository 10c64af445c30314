/**
 * A believable mailbox for `npm run demo`: what an extension maintainer's inbox looks like on a
 * weekday. Bug reports, GitHub notifications, CI results, a mailing-list thread, a newsletter with
 * remote images, attachments, and a mix of read, flagged and answered messages, spread over the
 * last two weeks. Generated in code (deterministic) so the demo needs no files.
 */
import { buildMessage, type Attachment, type MessageParts } from './demoMime';

export interface DemoMessage {
  folder: string;
  raw: string;
  flags: string[];
  date: Date;
}

export const demoAddress = 'Dana Demo <demo@example.com>';
const HOUR = 3_600_000;

/** Folders the demo creates besides the special-use ones Dovecot creates itself. */
export const demoFolders = ['Lists', 'Lists/dev', 'Notifications'];

/** Messages in the Notifications folder: enough that "Load older", the mirror's fill and grouping show. */
const NOTIFICATIONS = 3_000;

export function buildDemoMailbox(now = new Date()): DemoMessage[] {
  const random = mulberry32(20261121);
  // Newest first: message i of n lands i/n of the way back through the last 14 days, jittered.
  const spread = (i: number, n: number) => new Date(now.getTime() - ((i + random()) / n) * 14 * 24 * HOUR);
  const flagsFor = (i: number, extra: string[] = []) => [...(i > 3 && random() < 0.6 ? ['\\Seen'] : []), ...extra];

  const messages: DemoMessage[] = [];
  const add = (folder: string, parts: Omit<MessageParts, 'date'>, date: Date, flags: string[]) =>
    messages.push({ folder, date, flags, raw: buildMessage({ ...parts, date }) });

  const inboxParts = [...bugReports(), ...githubNotifications(), ...ciNotifications(), ...newsletters(), ...personal()];
  // Interleave the kinds so the inbox reads like a real one, not in blocks.
  inboxParts.sort(() => random() - 0.5);
  inboxParts.forEach((p, i) => {
    const extra = [...(p.flagged ? ['\\Flagged'] : []), ...(p.answered ? ['\\Answered', '\\Seen'] : [])];
    add('INBOX', p.parts, spread(i, inboxParts.length), [...new Set(flagsFor(i, extra))]);
  });

  devThread().forEach((parts, i, all) => add('Lists/dev', parts, new Date(now.getTime() - (all.length - i) * 9 * HOUR), i < 3 ? ['\\Seen'] : []));
  sent().forEach((parts, i) => add('Sent', parts, spread(i * 3 + 1, 14), ['\\Seen']));
  archive().forEach((parts, i) => add('Archive', parts, new Date(now.getTime() - (15 + i * 2) * 24 * HOUR), ['\\Seen']));
  add('Drafts', draft(), new Date(now.getTime() - 2 * HOUR), ['\\Draft', '\\Seen']);
  // A notification folder as triage meets it: two months of GitHub and CI mail, most of it read.
  notifications(NOTIFICATIONS, random).forEach((parts, i) =>
    add('Notifications', parts, new Date(now.getTime() - ((i + random()) / NOTIFICATIONS) * 60 * 24 * HOUR), i > 40 && random() < 0.85 ? ['\\Seen'] : []),
  );
  return messages;
}

interface InboxEntry {
  parts: Omit<MessageParts, 'date'>;
  flagged?: boolean;
  answered?: boolean;
}

function bugReports(): InboxEntry[] {
  const report = (from: string, subject: string, text: string, extra: Partial<InboxEntry> = {}): InboxEntry => ({
    parts: { from, to: demoAddress, subject, text },
    ...extra,
  });
  return [
    report('Priya Raman <priya.raman@example.org>', 'Tree stops updating after laptop wakes from sleep',
      'Hi,\n\nafter my laptop resumes from sleep, new mail no longer appears in the Mailroom tree until I\nrun "Mailroom: Refresh". The status bar still says connected.\n\nVS Code 1.100.3, macOS 15, Fastmail over IMAP/TLS.\n\nThanks for the extension!\nPriya',
      { flagged: true }),
    report('Jonas Weber <jonas@weber.example.net>', 'Umlauts in sender names show as =?UTF-8?Q?...',
      'Hallo,\n\nsome senders appear as raw encoded words, e.g. "=?UTF-8?Q?J=C3=BCrgen?=" instead of "Jürgen".\nIt happens only when the encoded word is split across two lines.\n\nGrüße\nJonas'),
    report('Maria Santos <maria.santos@example.com>', 'Feature request: archive with a keyboard shortcut',
      'Hello!\n\nI triage about 200 notifications a day. Could "Archive" get a default keybinding\n(like "e" in Gmail) when the tree has focus?\n\nMaria', { answered: true }),
    report('Wei Chen <wei.chen@example.cn>', 'Cannot log in with an app password (AUTHENTICATIONFAILED)',
      'Login fails with AUTHENTICATIONFAILED although the same app password works in Thunderbird.\nThe password contains a "%" character, maybe it is escaped twice?\n\nLog excerpt:\n[imap] LOGIN failed: [AUTHENTICATIONFAILED] Authentication failed.\n\nWei',
      { flagged: true }),
    report('Tom Okafor <tom.okafor@example.io>', 'Dark+ theme: quoted text is unreadable',
      'In the message view, quoted text (lines starting with ">") is dark grey on a dark background\nwith the Dark+ theme. Screenshot available if useful.\n\nTom'),
    report('Sofia Rossi <sofia.rossi@example.it>', 'Attachment with Japanese file name saves as "attachment.bin"',
      'Saving an attachment named 見積書.pdf produces "attachment.bin". The header uses RFC 2231\nencoding (filename*=UTF-8\'\'%E8%A6%8B...).\n\nSofia'),
    report('Alex Kim <alex.kim@example.dev>', 'Memory grows overnight while IDLE',
      'Left VS Code open overnight with two accounts. The extension host went from 180 MB to 1.2 GB.\nHeap snapshot attached to the GitHub issue #87.\n\nAlex', { answered: true }),
    report('Lena Fischer <lena.fischer@example.de>', 'Thank you!',
      'No bug, just wanted to say Mailroom replaced my mail client for work. Reading CI mail next to\nthe code is exactly what I wanted.\n\nLena'),
  ];
}

function githubNotifications(): InboxEntry[] {
  const issues: [number, string, string, string, string][] = [
    [241337, 'Webview loses scroll position when the panel is moved', 'Ben Harper', 'bharper', 'mention'],
    [241402, 'TreeItem.accessibilityInformation ignored for checkbox items', 'Ines Duarte', 'iduarte', 'mention'],
    [241455, 'Extension host crashes when SecretStorage is locked on Linux', 'Kofi Mensah', 'kmensah', 'mention'],
    [241503, 'Add API to badge a view container from an extension', 'Hannah Lee', 'hlee-dev', 'subscribed'],
    [241520, 'Proposed API: TreeView.reveal with focus options', 'Ravi Patel', 'rpatel', 'review_requested'],
    [241577, 'Notebook renderer flickers on theme change', 'Olga Ivanova', 'oivanova', 'mention'],
    [241590, 'Welcome view markdown links do not honour when clauses', 'Sam Taylor', 'samt', 'author'],
    [241612, 'Status bar item tooltip cut off with long MarkdownString', 'Yuki Tanaka', 'ytanaka', 'mention'],
    [241655, 'SecretStorage.onDidChange fires twice on Windows', 'Lucas Moreau', 'lmoreau', 'mention'],
    [241689, 'Allow webviews to opt out of the default link handler', 'Aisha Bello', 'abello', 'comment'],
  ];
  return issues.map(([number, title, name, login, reason], i) => {
    const url = `https://github.com/microsoft/vscode/issues/${number}`;
    const comment = `@dana-demo could you take a look? This looks related to what you saw in Mailroom's tree view.\n\nSteps:\n1. Open a view with many items\n2. Trigger a refresh\n3. Observe the behaviour described above`;
    return {
      flagged: i === 2,
      parts: {
        from: `${name} <notifications@github.com>`,
        to: 'microsoft/vscode <vscode@noreply.github.com>',
        cc: `Mention <mention@noreply.github.com>`,
        subject: `Re: [microsoft/vscode] ${title} (Issue #${number})`,
        messageId: `<microsoft/vscode/issues/${number}/c${2_100_000_000 + i}@github.com>`,
        inReplyTo: `<microsoft/vscode/issues/${number}@github.com>`,
        references: `<microsoft/vscode/issues/${number}@github.com>`,
        headers: {
          'List-Id': 'microsoft/vscode <vscode.microsoft.github.com>',
          'List-Unsubscribe': `<https://github.com/notifications/unsubscribe/${number}>`,
          'X-GitHub-Reason': reason,
          'X-GitHub-Sender': login,
          'Precedence': 'list',
        },
        text: `${comment}\n\n—\nReply to this email directly, view it on GitHub:\n${url}#issuecomment-${2_100_000_000 + i}\nYou are receiving this because ${reasonText(reason)}.`,
        html: `<p><a href="https://github.com/dana-demo" class="user-mention">@dana-demo</a> could you take a look? This looks related to what you saw in Mailroom's tree view.</p>
<p>Steps:</p><ol><li>Open a view with many items</li><li>Trigger a refresh</li><li>Observe the behaviour described above</li></ol>
<p style="font-size:small;color:#666">— <br />Reply to this email directly, <a href="${url}">view it on GitHub</a>.<br />You are receiving this because ${reasonText(reason)}.</p>
<img src="https://github.com/notifications/beacon/${number}.gif" height="1" width="1" alt="" />`,
      },
    };
  });
}

function ciNotifications(): InboxEntry[] {
  const runs: [string, string, boolean, string][] = [
    ['main', '4f2a9c1', false, 'test (ubuntu-latest, node 20): 2 failing — live.test.js "sees a message appended by another client"'],
    ['main', '8d01be7', true, 'all 4 jobs passed in 3m 12s'],
    ['fix/idle-resume', 'c3e7d90', false, 'lint: src/core/sync/mailboxWatcher.ts:88 no-floating-promises'],
    ['fix/idle-resume', '19ab44f', true, 'all 4 jobs passed in 3m 05s'],
    ['release/0.2', 'e5f6a7b', true, 'package: mailroom-0.2.0.vsix (412 KB) uploaded as artifact'],
    ['main', '0b9c8d7', false, 'ui (ubuntu-latest): timed out after 240 s waiting for the workbench'],
    ['main', '6a5b4c3', true, 'all 4 jobs passed in 2m 58s'],
  ];
  return runs.map(([branch, sha, passed, detail], i) => {
    const status = passed ? 'passed' : 'failed';
    const url = `https://github.com/dana-demo/mailroom/actions/runs/${9_100_000_000 + i}`;
    return {
      parts: {
        from: 'GitHub Actions <notifications@github.com>',
        to: demoAddress,
        subject: `[dana-demo/mailroom] Run ${status}: CI - ${branch} (${sha})`,
        headers: { 'List-Id': 'dana-demo/mailroom <mailroom.dana-demo.github.com>', 'X-GitHub-Reason': 'ci_activity' },
        text: `Run ${status} for ${branch} (${sha})\n\n${detail}\n\nView results: ${url}`,
        html: `<h3 style="color:${passed ? '#1a7f37' : '#cf222e'}">${passed ? '✓' : '✗'} Run ${status}: CI - ${branch}</h3>
<p><code>${sha}</code> ${detail}</p><p><a href="${url}">View workflow run</a></p>`,
      },
    };
  });
}

/**
 * `count` notifications, newest first: issue and pull-request threads of a few repositories (each
 * comment a reply in its thread, with GitHub's List-Id and X-GitHub-Reason) and CI runs.
 */
function notifications(count: number, random: () => number): Omit<MessageParts, 'date'>[] {
  const repos = ['dana-demo/mailroom', 'microsoft/vscode', 'postalsys/imapflow', 'cure53/DOMPurify'];
  const reasons = ['mention', 'review_requested', 'subscribed', 'comment', 'author', 'team_mention'];
  const people = ['Ben Harper', 'Ines Duarte', 'Kofi Mensah', 'Hannah Lee', 'Ravi Patel', 'Olga Ivanova', 'Sam Taylor', 'Yuki Tanaka'];
  const topics = ['Tree does not refresh after IDLE', 'Support OAuth2 for Microsoft 365', 'Crash on a malformed MIME boundary', 'Add keyboard shortcut for archive', 'Mirror grows after many restarts', 'Flaky UI test on a busy machine', 'Sanitise CSS url() in style attributes', 'Bump esbuild to 0.25'];
  const list: Omit<MessageParts, 'date'>[] = [];
  for (let i = 0; i < count; i++) {
    const repo = repos[Math.floor(random() * repos.length)];
    const [owner, name] = repo.split('/');
    const listId = `${repo} <${name}.${owner}.github.com>`;
    if (random() < 0.35) {
      const passed = random() < 0.7;
      const branch = random() < 0.6 ? 'main' : `fix/${topics[i % topics.length].toLowerCase().split(' ').slice(0, 2).join('-')}`;
      const sha = Math.floor(random() * 0xfffffff).toString(16).padStart(7, '0');
      list.push({
        from: 'GitHub Actions <notifications@github.com>',
        to: demoAddress,
        subject: `[${repo}] Run ${passed ? 'passed' : 'failed'}: CI - ${branch} (${sha})`,
        headers: { 'List-Id': listId, 'X-GitHub-Reason': 'ci_activity' },
        text: `Run ${passed ? 'passed' : 'failed'} for ${branch} (${sha}).\n\nView results: https://github.com/${repo}/actions/runs/${9_200_000_000 + i}`,
      });
      continue;
    }
    const number = 100 + Math.floor(random() * 400);
    const kind = number % 3 ? 'Issue' : 'PR';
    const title = `${topics[number % topics.length]} (${kind} #${number})`;
    const thread = `<${repo}/${kind === 'PR' ? 'pull' : 'issues'}/${number}@github.com>`;
    const who = people[Math.floor(random() * people.length)];
    list.push({
      from: `${who} <notifications@github.com>`,
      to: `${repo} <${name}@noreply.github.com>`,
      subject: `Re: [${repo}] ${title}`,
      messageId: `<${repo}/${kind === 'PR' ? 'pull' : 'issues'}/${number}/c${3_000_000_000 + i}@github.com>`,
      inReplyTo: thread,
      references: thread,
      headers: { 'List-Id': listId, 'X-GitHub-Reason': reasons[Math.floor(random() * reasons.length)], Precedence: 'list' },
      text: `${who} commented on ${title}.\n\n—\nReply to this email directly or view it on GitHub:\nhttps://github.com/${repo}/${kind === 'PR' ? 'pull' : 'issues'}/${number}#issuecomment-${3_000_000_000 + i}`,
    });
  }
  return list;
}

function newsletters(): InboxEntry[] {
  return [
    {
      parts: {
        from: 'VS Code Insiders Weekly <newsletter@news.example.net>',
        to: demoAddress,
        subject: 'This week in VS Code: tree view badges, faster webviews and more',
        headers: { 'List-Unsubscribe': '<https://news.example.net/unsubscribe?u=demo>' },
        text: 'This week: tree view badges, faster webviews, and a new sample for custom editors.\nRead online: https://news.example.net/issues/212',
        html: `<div style="font-family:sans-serif;max-width:600px">
<img src="https://news.example.net/img/banner-212.png" alt="VS Code Weekly #212" width="600" height="160" />
<h1 style="color:#0065a9">Tree view badges land in stable</h1>
<p>Extensions can now show a count on their view container. <a href="https://news.example.net/issues/212#badges">Read more</a></p>
<h2>Faster webviews</h2><p>Webviews now start 30% faster thanks to a shared service worker.</p>
<img src="https://news.example.net/track/open.gif?u=demo&amp;i=212" width="1" height="1" alt="" />
</div>`,
      },
    },
    {
      parts: {
        from: 'Node Weekly <node@weekly.example.org>',
        to: demoAddress,
        subject: 'Node Weekly #560: Node 24 LTS, undici 7 and a faster test runner',
        headers: { 'List-Id': 'Node Weekly <node-weekly.weekly.example.org>' },
        text: 'Node 24 becomes LTS, undici 7 is out, and the built-in test runner gets 2x faster.',
        html: `<table width="600" style="font-family:Georgia,serif"><tr><td>
<img src="https://weekly.example.org/logo.png" alt="Node Weekly" width="200" />
<h2><a href="https://weekly.example.org/issues/560">Node 24 becomes LTS</a></h2>
<p>Everything that changes for library authors, in one page.</p>
</td></tr></table>`,
      },
    },
  ];
}

function personal(): InboxEntry[] {
  const invoicePdf: Attachment = { filename: 'invoice-2026-11.pdf', contentType: 'application/pdf', content: tinyPdf('Invoice 2026-11: 3 seats, EUR 36.00') };
  const reportPdf: Attachment = { filename: 'Q3 usage report.pdf', contentType: 'application/pdf', content: tinyPdf('Q3 usage report') };
  return [
    { parts: { from: 'Billing <billing@saas.example.com>', to: demoAddress, subject: 'Your invoice for November 2026', text: 'Hello Dana,\n\nyour invoice for November is attached.\n\nThe Billing Team', attachments: [invoicePdf] } },
    { flagged: true, parts: { from: 'Marco Bianchi <marco@example.com>', to: demoAddress, subject: 'Q3 usage report for the extension', text: 'Hi Dana,\n\nattached the Q3 numbers: installs +38%, weekly active +21%.\nLet\'s discuss on Thursday.\n\nMarco', attachments: [reportPdf] } },
    { answered: true, parts: { from: 'Chloé Martin <chloe.martin@example.fr>', to: demoAddress, subject: 'Lunch on Thursday?', text: 'Salut Dana,\n\nthe new ramen place near the office, Thursday 12:30?\n\nChloé' } },
    { parts: { from: 'Marco Bianchi <marco@example.com>', to: demoAddress, subject: 'Release checklist for 0.2', text: 'Checklist:\n- [x] CHANGELOG\n- [x] screenshots\n- [ ] marketplace description\n- [ ] tag v0.2.0\n\nMarco' } },
  ];
}

function devThread(): Omit<MessageParts, 'date'>[] {
  const subject = '[mailroom-dev] Proposal: cache message bodies on disk';
  const people = ['Ravi Patel <ravi@example.dev>', 'Ines Duarte <ines@example.pt>', demoAddress, 'Ravi Patel <ravi@example.dev>', 'Kofi Mensah <kofi@example.gh>'];
  const bodies = [
    'Opening the same long thread twice fetches every body twice. I propose a small on-disk cache\nkeyed by UIDVALIDITY:UID, evicted LRU at 50 MB.\n\nThoughts?',
    'Sounds good, but we must drop the cache when UIDVALIDITY changes (RFC 3501 2.3.1.1).\nAlso: encrypt it? Mail bodies are sensitive.',
    'Agreed on UIDVALIDITY. For now I would keep it in memory only; disk needs a privacy story first.',
    'Fair. Memory-only with a 20 MB cap then. I will open a PR.',
    '+1. Please add a test that a UIDVALIDITY change empties it.',
  ];
  const ids = bodies.map((_, i) => `<cache-proposal-${i}@lists.example.dev>`);
  return bodies.map((text, i) => ({
    from: people[i],
    to: 'mailroom-dev <mailroom-dev@lists.example.dev>',
    subject: i === 0 ? subject : `Re: ${subject}`,
    messageId: ids[i],
    inReplyTo: i ? ids[i - 1] : undefined,
    references: i ? ids.slice(0, i).join(' ') : undefined,
    headers: { 'List-Id': 'Mailroom development <mailroom-dev.lists.example.dev>', 'List-Post': '<mailto:mailroom-dev@lists.example.dev>' },
    text: i ? `${text}\n\n> ${bodies[i - 1].split('\n')[0]}` : text,
  }));
}

function sent(): Omit<MessageParts, 'date'>[] {
  return [
    { from: demoAddress, to: 'Maria Santos <maria.santos@example.com>', subject: 'Re: Feature request: archive with a keyboard shortcut', text: 'Hi Maria,\n\ngood idea, it will be in 0.2 as "e" when the tree has focus.\n\nDana' },
    { from: demoAddress, to: 'Alex Kim <alex.kim@example.dev>', subject: 'Re: Memory grows overnight while IDLE', text: 'Thanks Alex, the heap snapshot shows the fetch cache never shrinking. Fix coming.\n\nDana' },
    { from: demoAddress, to: 'Chloé Martin <chloe.martin@example.fr>', subject: 'Re: Lunch on Thursday?', text: 'Yes! See you at 12:30.\n\nDana' },
    { from: demoAddress, to: 'mailroom-dev <mailroom-dev@lists.example.dev>', subject: 'Re: [mailroom-dev] Proposal: cache message bodies on disk', text: 'Agreed on UIDVALIDITY. For now I would keep it in memory only.' },
  ];
}

function archive(): Omit<MessageParts, 'date'>[] {
  return [
    { from: 'Visual Studio Marketplace <marketplace@example.com>', to: demoAddress, subject: 'Your extension Mailroom 0.1.0 was published', text: 'Mailroom 0.1.0 is now live on the Marketplace.' },
    { from: 'Marco Bianchi <marco@example.com>', to: demoAddress, subject: 'Kick-off notes', text: 'Goals: read mail in VS Code, safely, with live updates.' },
    { from: 'GitHub <noreply@github.com>', to: demoAddress, subject: '[GitHub] A new public key was added to your account', text: 'The following SSH key was added to your account: laptop-2026' },
  ];
}

function draft(): Omit<MessageParts, 'date'> {
  return { from: demoAddress, to: 'Priya Raman <priya.raman@example.org>', subject: 'Re: Tree stops updating after laptop wakes from sleep', text: 'Hi Priya,\n\nthanks for the report. Could you enable "Mailroom: Show Log" and' };
}

/** A one-page PDF with a line of text: small, valid enough for viewers, generated here. */
function tinyPdf(line: string): Buffer {
  const stream = `BT /F1 18 Tf 72 720 Td (${line.replace(/[()\\]/g, '\\$&')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const offset = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** Small seeded PRNG: the same demo mailbox on every run. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** GitHub's own footer wording for each X-GitHub-Reason. */
function reasonText(reason: string): string {
  const texts: Record<string, string> = {
    mention: 'you were mentioned',
    comment: 'you commented',
    author: 'you authored the thread',
    subscribed: 'you are subscribed to this thread',
    review_requested: 'your review was requested',
    assign: 'you were assigned',
    team_mention: 'your team was mentioned',
  };
  return texts[reason] ?? `of ${reason.replace(/_/g, ' ')}`;
}
