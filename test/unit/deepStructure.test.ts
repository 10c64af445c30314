/**
 * Input nested deeper than the call stack goes, or deep enough to make a walk quadratic: MIME
 * trees, body structures, style sheets and folder trees, all of which the server or the sender
 * shapes. Each is read to the end, without recursion per level.
 */
import * as assert from 'node:assert/strict';
import type { ListResponse, MessageStructureObject } from 'imapflow';
import { JSDOM } from 'jsdom';
import { parseMessageForDisplay } from '../../src/core/message/mime';
import { planParts } from '../../src/core/message/messageReader';
import { filterStyleSheet } from '../../src/core/message/remoteCss';
import { sanitizeMessageHtml } from '../../src/core/message/sanitize';
import { applySpecialUseOverrides, buildFolderTree, flattenFolders } from '../../src/core/model/folders';
import { hasAttachment } from '../../src/core/sync/summaries';
import { INNERMOST, NUL_HTML_LINE_COUNT, nestedForwards, nestedMultipart, nulHtml } from '../support/hostileMail';

const meta = { uid: 1, folder: 'INBOX' };
const { window } = new JSDOM('<!DOCTYPE html><body></body>');

/** Sanitised HTML read back through an inert template (no style sheet is parsed there). */
function dom(html: string): DocumentFragment {
  const template = window.document.createElement('template');
  template.innerHTML = html;
  return template.content;
}

/** A BODYSTRUCTURE of `depth` multiparts inside one another, with `leaf` at the bottom. */
function deepStructure(depth: number, leaf: MessageStructureObject): MessageStructureObject {
  let node = leaf;
  for (let i = 0; i < depth; i++) {
    node = { type: 'multipart/mixed', childNodes: [node] } as MessageStructureObject;
  }
  return node;
}

describe('deeply nested input', function () {
  this.timeout(20_000);
  describe('a whole message parsed for display', () => {
    for (const depth of [1_000, 20_000]) {
      it(`shows the innermost text of ${depth} multiparts, with a warning`, async () => {
        const { content } = await parseMessageForDisplay(nestedMultipart(depth, 'deep'), meta);
        assert.match(content.text ?? '', new RegExp(INNERMOST));
        assert.equal(content.subject, 'deep');
        assert.match(content.parseWarning ?? '', /nested too deeply/);
      });
      it(`shows the innermost text of ${depth} forwarded messages, with a warning`, async () => {
        const { content } = await parseMessageForDisplay(nestedForwards(depth, 'deep'), meta);
        assert.match(content.text ?? '', new RegExp(INNERMOST));
        assert.equal(content.subject, 'deep');
        assert.match(content.parseWarning ?? '', /nested too deeply/);
      });
    }
    it('shows the innermost text of 30 forwarded messages (past the 10 the parser shows inline)', async () => {
      const { content } = await parseMessageForDisplay(nestedForwards(30), meta);
      assert.match(content.text ?? '', new RegExp(INNERMOST));
      assert.equal(content.subject, 'nested forwards 30');
    });
    it('reads 12 forwarded messages flat whatever the case of their type (the parser says it gave up)', async () => {
      const { content } = await parseMessageForDisplay(nestedForwards(12).replace(/message\/rfc822/g, 'message/Rfc822'), meta);
      assert.match(content.text ?? '', new RegExp(INNERMOST));
      assert.doesNotMatch(content.text ?? '', /forward 3/);
      assert.match(content.parseWarning ?? '', /nested too deeply/);
    });
    it('counts forwarded messages by nesting, not by how often the text names their type', async () => {
      const mentions = 'message/rfc822 '.repeat(12);
      const plain = await parseMessageForDisplay(`Subject: talk\r\n\r\n${mentions}\r\n`, meta);
      assert.equal(plain.content.text?.trim(), mentions.trim());
      assert.equal(plain.content.parseWarning, undefined);
      const ten = await parseMessageForDisplay(`${nestedForwards(10)}${mentions}\r\n`, meta);
      assert.match(ten.content.text ?? '', /forward 3/, 'ten levels are shown as built');
      assert.equal(ten.content.parseWarning, undefined);
      const eleven = await parseMessageForDisplay(`${nestedForwards(11)}${mentions}\r\n`, meta);
      assert.doesNotMatch(eleven.content.text ?? '', /forward 3/);
      assert.match(eleven.content.parseWarning ?? '', /nested too deeply/);
    });
    it('shows 5 forwarded messages as they were built, without a warning', async () => {
      const { content } = await parseMessageForDisplay(nestedForwards(5), meta);
      assert.match(content.text ?? '', new RegExp(INNERMOST));
      assert.match(content.text ?? '', /forward 3/, 'the forwarded headers are gone');
      assert.equal(content.parseWarning, undefined);
    });
  });

  describe('a body structure from the server', () => {
    const pdf = { type: 'application/pdf', disposition: 'attachment', dispositionParameters: { filename: 'a.pdf' } } as MessageStructureObject;
    it('finds an attachment under 100,000 levels of multiparts', () => {
      assert.equal(hasAttachment(deepStructure(100_000, pdf)), true);
      assert.equal(hasAttachment(deepStructure(100_000, { type: 'text/plain' } as MessageStructureObject)), false);
    });
    it('gives up planning past its depth, so the message is read whole', () => {
      const plan = planParts(deepStructure(100_000, { type: 'text/plain' } as MessageStructureObject));
      assert.equal(plan.tooDeep, true);
      assert.equal(planParts(deepStructure(20, { type: 'text/plain' } as MessageStructureObject)).body.length, 1);
    });
  });

  describe('a style sheet', () => {
    const deepSheet = `p{color:red}${'a{'.repeat(20_000)}background:url(https://evil.example/deep.png)${'}'.repeat(20_000)}`;
    it('with 20,000 nested braces loses the remote url() at the bottom', () => {
      const r = filterStyleSheet(deepSheet, () => undefined);
      assert.doesNotMatch(r.css, /evil\.example/);
      assert.match(r.css, /^p\{color:red;?\}/);
      assert.equal(r.remoteBlocked, 1);
    });
    it('with 20,000 nested braces still lets the message show', () => {
      const r = sanitizeMessageHtml(`<style>${deepSheet}</style><p id="text">hello</p>`, window, { inlineImages: {} });
      assert.equal(dom(r.html).querySelector('#text')?.textContent, 'hello');
      assert.doesNotMatch(r.html, /evil\.example/);
    });
  });

  describe('HTML full of NULs', () => {
    it('42 KB sanitises with its tags read as written, in time that grows linearly', () => {
      const timed = (bytes: number) => {
        const own = new JSDOM('<!DOCTYPE html><body></body>').window;
        const started = process.hrtime.bigint();
        const r = sanitizeMessageHtml(nulHtml(bytes), own, { inlineImages: {} });
        return { ms: Number(process.hrtime.bigint() - started) / 1e6, html: r.html };
      };
      timed(2 * 1024); // warm up
      const quarter = timed(10.5 * 1024);
      const whole = timed(42 * 1024);
      // 4x the input within 6x the time (plus a little for timer noise); before NULs were
      // dropped the tags nested, and 4x the input took over 20x the time (minutes at 42 KB).
      assert.ok(whole.ms <= 6 * quarter.ms + 50, `10.5 KB: ${quarter.ms.toFixed(0)} ms, 42 KB: ${whole.ms.toFixed(0)} ms`);
      assert.equal(dom(whole.html).querySelectorAll('br').length, NUL_HTML_LINE_COUNT(42 * 1024));
    });
  });

  describe('a folder tree from the server', () => {
    it('of 5,000 levels is built, flattened and given roles', () => {
      const depth = 5_000;
      const segments = Array.from({ length: depth }, (_, i) => `f${i % 10}`);
      const entry = {
        path: segments.join('/'), name: segments[depth - 1], delimiter: '/', parentPath: segments.slice(0, -1).join('/'),
        flags: new Set<string>(), listed: true, subscribed: false,
      } as unknown as ListResponse;
      const tree = buildFolderTree([entry]);
      const flat = flattenFolders(tree);
      assert.equal(flat.length, depth);
      assert.equal(flat[depth - 1].path, entry.path);
      assert.equal(flat[1].path, 'f0/f1');
      const withRoles = flattenFolders(applySpecialUseOverrides(tree, { [entry.path]: 'archive' }));
      assert.equal(withRoles[depth - 1].specialUse, 'archive');
    });
  });
});
