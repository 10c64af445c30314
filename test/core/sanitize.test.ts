import * as assert from 'assert';
import { JSDOM } from 'jsdom';
import { parseMessageForDisplay } from '../../src/core/message/mime';
import { sanitizeMessageHtml, type SanitizedHtml } from '../../src/core/message/sanitize';
import { fixture } from '../support/fixtures';

const { window } = new JSDOM('<!DOCTYPE html><body></body>');

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

function sanitize(html: string, inlineImages: Record<string, string> = {}): SanitizedHtml {
  return sanitizeMessageHtml(html, window, { inlineImages });
}

/** Parses sanitised output the way the view will, so assertions look at elements, not at strings. */
function dom(html: string): DocumentFragment {
  const template = window.document.createElement('template');
  template.innerHTML = html;
  return template.content;
}

/** Everything that could run script or fetch from the network, found in sanitised output. */
function dangers(html: string): string[] {
  const found: string[] = [];
  for (const el of Array.from(dom(html).querySelectorAll('*'))) {
    const tag = el.localName;
    if (['script', 'iframe', 'object', 'embed', 'form', 'input', 'button', 'base', 'meta', 'link', 'svg', 'math'].includes(tag)) {
      found.push(`<${tag}>`);
    }
    for (const attr of Array.from(el.attributes)) {
      const value = attr.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
      if (attr.name.startsWith('on')) {
        found.push(`${tag}[${attr.name}]`);
      }
      if (/^(javascript|vbscript|data:text)/.test(value) || (attr.name !== 'href' && /^(https?:)?\/\//.test(value))) {
        found.push(`${tag}[${attr.name}=${attr.value}]`);
      }
    }
  }
  return found;
}

describe('HTML sanitising policy', () => {
  describe('scripts', () => {
    it('removes script elements and counts them', () => {
      const r = sanitize('<p>Hello</p><script>alert(1)</script><script src="https://evil.example/x.js"></script>');
      assert.strictEqual(dom(r.html).querySelector('script'), null);
      assert.strictEqual(dom(r.html).querySelector('p')?.textContent, 'Hello');
      assert.strictEqual(r.scriptsRemoved, 2);
    });

    it('removes event handler attributes, including on an image with a broken source', () => {
      const r = sanitize('<img src=x onerror=alert(1) alt="pic"><div onclick="steal()" onmouseover="x()">Hi</div>');
      assert.deepStrictEqual(dangers(r.html), []);
      assert.strictEqual(dom(r.html).querySelector('div')?.textContent, 'Hi');
      assert.strictEqual(r.scriptsRemoved, 3);
    });

    it('survives mutation-XSS shapes built from nested svg and math', () => {
      const inputs = [
        '<svg><p><style><img src=x onerror=alert(1)></style></p></svg>',
        '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
        '<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>',
        '<math><mi><malignmark><svg><style><img src=x onerror=alert(1)></style></svg></malignmark></mi></math>',
        '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
        '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
        '<svg><use href="data:image/svg+xml,&lt;svg id=x xmlns=http://www.w3.org/2000/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/svg&gt;#x"/></svg>',
      ];
      for (const input of inputs) {
        const once = sanitize(input).html;
        assert.deepStrictEqual(dangers(once), [], `after one pass: ${input} -> ${once}`);
        // The view parses the output again: a second round must not wake anything up either.
        assert.deepStrictEqual(dangers(sanitize(once).html), [], `after two passes: ${input}`);
      }
    });
  });

  describe('active and structural elements', () => {
    it('removes forms and their controls but keeps the visible words', () => {
      const r = sanitize('<form action="https://evil.example/login"><label>Password</label><input type=password name=p><button>Sign in</button><textarea>t</textarea><select><option>o</option></select></form>');
      const d = dom(r.html);
      for (const tag of ['form', 'input', 'button', 'textarea', 'select', 'option']) {
        assert.strictEqual(d.querySelector(tag), null, tag);
      }
      assert.ok(d.textContent?.includes('Password'));
      assert.ok(!r.html.includes('evil.example'));
    });

    it('removes iframes, objects and embeds', () => {
      const r = sanitize('<iframe src="https://evil.example/"></iframe><object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x"><p>after</p>');
      assert.deepStrictEqual(dangers(r.html), []);
      assert.ok(!r.html.includes('evil.example'));
      assert.strictEqual(dom(r.html).querySelector('p')?.textContent, 'after');
    });

    it('removes <base>, <meta http-equiv> and <link> from the head', () => {
      const r = sanitize('<html><head><base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/"><link rel="stylesheet" href="https://evil.example/a.css"></head><body><a href="https://ok.example/">ok</a></body></html>');
      assert.deepStrictEqual(dangers(r.html), []);
      assert.ok(!r.html.includes('evil.example'));
      assert.strictEqual(dom(r.html).querySelector('a')?.getAttribute('href'), 'https://ok.example/');
    });

    it('keeps ordinary mail formatting and the mail\'s own <style>', () => {
      const r = sanitize('<html><head><style>td { color: #333; }</style></head><body><table><tr><td><b>Total</b></td><td style="text-align:right">42</td></tr></table></body></html>');
      const d = dom(r.html);
      assert.match(d.querySelector('style')?.textContent ?? '', /td \{\s*color: #333\s*;?\s*\}/);
      assert.strictEqual(d.querySelector('td[style]')?.getAttribute('style'), 'text-align:right');
      assert.strictEqual(d.querySelector('b')?.textContent, 'Total');
      assert.strictEqual(r.remoteBlocked, 0);
    });
  });

  describe('remote resources', () => {
    it('removes a remote image source but keeps the image, its alt text and a blocked marker', () => {
      const r = sanitize('<img src="https://cdn.example.com/banner.png" alt="Spring sale" width="600" height="200">');
      const img = dom(r.html).querySelector('img');
      assert.ok(img);
      assert.strictEqual(img.getAttribute('src'), null);
      assert.strictEqual(img.getAttribute('alt'), 'Spring sale');
      assert.strictEqual(img.getAttribute('data-mailroom-blocked'), 'remote');
      assert.strictEqual(r.remoteBlocked, 1);
    });

    it('counts a 1x1 tracking pixel as blocked and marks it as a tracker', () => {
      const r = sanitize('<p>Hi</p><img src="https://tracker.example.com/pixel.gif" width="1" height="1" alt="">');
      const img = dom(r.html).querySelector('img');
      assert.strictEqual(img?.getAttribute('data-mailroom-blocked'), 'tracker');
      assert.strictEqual(img?.getAttribute('src'), null);
      assert.strictEqual(r.remoteBlocked, 1);
    });

    it('blocks protocol-relative and backslash image sources too', () => {
      const r = sanitize('<img src="//evil.example/a.png"><img src="\\\\evil.example\\b.png"><img src="http://evil.example/c.png">');
      assert.strictEqual(r.remoteBlocked, 3);
      assert.ok(!r.html.includes('evil.example'));
    });

    it('removes srcset, background attributes, video posters and media sources', () => {
      const r = sanitize(
        '<img srcset="https://a.example/1x.png 1x, https://a.example/2x.png 2x" alt="a">' +
          '<picture><source srcset="https://b.example/x.webp"><img alt="b"></picture>' +
          '<table background="https://c.example/bg.png"><tr><td background="http://d.example/cell.png">x</td></tr></table>' +
          '<video poster="https://e.example/poster.jpg"><source src="https://e.example/v.mp4"></video>' +
          '<audio src="https://f.example/a.mp3"></audio>',
      );
      assert.deepStrictEqual(dangers(r.html), []);
      assert.ok(!/[a-f]\.example/.test(r.html), r.html);
      assert.strictEqual(r.remoteBlocked, 7);
    });

    it('strips remote url() from inline styles and keeps the other declarations', () => {
      const r = sanitize('<div style="color: red; background: url(//evil.example/bg.png) no-repeat; padding: 4px">x</div>');
      assert.strictEqual(dom(r.html).querySelector('div')?.getAttribute('style'), 'color: red; padding: 4px');
      assert.strictEqual(r.remoteBlocked, 1);
    });

    it('sees through CSS escapes, image-set() and quoting tricks in inline styles', () => {
      const r = sanitize(
        '<p style="background:\\75 rl(http://evil.example/1)">a</p>' +
          '<p style="background-image: image-set(\'https://evil.example/2.png\' 1x)">b</p>' +
          '<p style="background:url( &quot;https://evil.example/3&quot; )">c</p>' +
          '<p style="background:u/**/rl(https://evil.example/4)">d</p>',
      );
      assert.ok(!r.html.includes('evil.example'), r.html);
      assert.strictEqual(r.remoteBlocked, 4);
    });

    it('removes @import, remote @font-face and remote url() from <style> elements', () => {
      const css = [
        '@import url(http://evil.example/a.css);',
        '@import "https://evil.example/b.css";',
        '@font-face { font-family: Brand; src: url(https://evil.example/brand.woff2) format("woff2"); }',
        '.hero { color: navy; background: url("https://evil.example/hero.jpg"); }',
        '@media (max-width: 600px) { .col { width: 100%; background-image: url(//evil.example/m.png); } }',
        'p { margin: 0 }',
      ].join('\n');
      const r = sanitize(`<style>${css}</style><p class="hero">x</p>`);
      const style = dom(r.html).querySelector('style')?.textContent ?? '';
      assert.ok(!style.includes('evil.example'), style);
      assert.ok(!style.includes('@import'));
      assert.ok(!style.includes('@font-face'));
      assert.match(style, /\.hero \{ color: navy;/);
      assert.match(style, /@media \(max-width: 600px\) \{ \.col \{ width: 100%;/);
      assert.match(style, /p \{ margin: 0 ?;?\}/);
      assert.strictEqual(r.remoteBlocked, 5);
    });

    it('keeps data: fonts and images in CSS', () => {
      const r = sanitize(`<style>@font-face { font-family: X; src: url(data:font/woff2;base64,AAAA) }</style><p style="background:url(${PNG})">x</p>`);
      assert.match(dom(r.html).querySelector('style')?.textContent ?? '', /@font-face/);
      assert.match(dom(r.html).querySelector('p')?.getAttribute('style') ?? '', /data:image\/png/);
      assert.strictEqual(r.remoteBlocked, 0);
    });

    it('drops :host rules, which would reach outside the mail body', () => {
      const r = sanitize('<style>:host { position: fixed; inset: 0 } p { color: red }</style><p>x</p>');
      const style = dom(r.html).querySelector('style')?.textContent ?? '';
      assert.ok(!style.includes(':host'));
      assert.match(style, /p \{\s*color: red\s*;?\s*\}/);
    });
  });

  describe('inline images', () => {
    it('replaces cid: sources with the inline part\'s data: URL and removes unknown ones', () => {
      const r = sanitize('<img src="cid:logo@example.com" alt="logo"><img src="cid:missing@example.com" alt="gone"><div style="background:url(cid:logo@example.com)">x</div>', {
        'logo@example.com': PNG,
      });
      const imgs = dom(r.html).querySelectorAll('img');
      assert.strictEqual(imgs[0].getAttribute('src'), PNG);
      assert.strictEqual(imgs[1].getAttribute('src'), null);
      assert.match(dom(r.html).querySelector('div')?.getAttribute('style') ?? '', /data:image\/png;base64/);
      assert.strictEqual(r.remoteBlocked, 0);
    });

    it('finds percent-encoded cid: references (RFC 2392)', () => {
      const r = sanitize('<img src="cid:part1%40example.com">', { 'part1@example.com': PNG });
      assert.strictEqual(dom(r.html).querySelector('img')?.getAttribute('src'), PNG);
    });

    it('keeps data: raster images but not data: SVG or other documents', () => {
      const r = sanitize(`<img src="${PNG}"><img src="data:image/svg+xml,<svg onload=alert(1)>"><img src="data:text/html,<script>alert(1)</script>">`);
      const imgs = dom(r.html).querySelectorAll('img');
      assert.strictEqual(imgs[0].getAttribute('src'), PNG);
      assert.strictEqual(imgs[1].getAttribute('src'), null);
      assert.strictEqual(imgs[2].getAttribute('src'), null);
    });
  });

  describe('links', () => {
    it('keeps http, https and mailto links and adds rel="noopener noreferrer"', () => {
      const r = sanitize('<a href="https://example.com/a" target="_blank">a</a><a href="http://example.com/b">b</a><a href="mailto:dana@example.org">c</a>');
      const links = Array.from(dom(r.html).querySelectorAll('a'));
      assert.deepStrictEqual(
        links.map((a) => [a.getAttribute('href'), a.getAttribute('rel'), a.getAttribute('target')]),
        [
          ['https://example.com/a', 'noopener noreferrer', null],
          ['http://example.com/b', 'noopener noreferrer', null],
          ['mailto:dana@example.org', 'noopener noreferrer', null],
        ],
      );
    });

    it('removes every other scheme: javascript, data, file, vscode, command, relative', () => {
      const hrefs = [
        'javascript:alert(1)',
        'jav&#x09;ascript:alert(1)',
        '&#x20;javascript:alert(1)',
        'JaVaScRiPt:alert(1)',
        'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
        'file:///etc/passwd',
        'vscode:extension/evil.publisher',
        'command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%20-rf%20~%22%7D',
        'vscode-webview://x/y',
        '../relative/path',
      ];
      const r = sanitize(hrefs.map((h, i) => `<a href="${h}">link ${i}</a>`).join(''));
      const links = Array.from(dom(r.html).querySelectorAll('a'));
      assert.strictEqual(links.length, hrefs.length, 'the link text stays');
      for (const a of links) {
        assert.strictEqual(a.getAttribute('href'), null, `${a.textContent}: ${a.outerHTML}`);
      }
      assert.strictEqual(r.scriptsRemoved, 4, 'the four javascript: links count as scripts');
    });
  });

  describe('on a real newsletter', () => {
    it('blocks the tracker, the remote banner and CSS, and removes the script, the onclick and the javascript: link', async () => {
      const raw = fixture('html-remote-image-script.eml');
      const { content, inlineImages } = await parseMessageForDisplay(raw, { uid: 1, folder: 'INBOX' });
      const r = sanitizeMessageHtml(content.html ?? '', window, { inlineImages });
      assert.deepStrictEqual(dangers(r.html), []);
      assert.ok(!r.html.includes('tracker.example.com'));
      assert.ok(!r.html.includes('evil.example.net'));
      const d = dom(r.html);
      assert.strictEqual(d.querySelector('img[alt="Extension Weekly banner"]')?.getAttribute('data-mailroom-blocked'), 'remote');
      assert.strictEqual(d.querySelector('img[width="1"]')?.getAttribute('data-mailroom-blocked'), 'tracker');
      // banner, tracker, @import, .hero background
      assert.strictEqual(r.remoteBlocked, 4);
      // <script>, onclick, javascript: link
      assert.strictEqual(r.scriptsRemoved, 3);
      assert.strictEqual(d.querySelector('a[href="https://news.example.net/ext/rainbow-brackets-lite"]')?.textContent, 'Rainbow Brackets Lite');
    });
  });
});
