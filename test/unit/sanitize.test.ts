/**
 * The sanitiser's policy rule by rule, beyond the broad cases in test/core/sanitize.test.ts:
 * every forbidden element and attribute, every attribute that fetches, link schemes, tracking
 * pixels and cid: lookups (RFC 2392). Output is read back through a DOM, never as a string.
 */
import * as assert from 'node:assert/strict';
import { JSDOM } from 'jsdom';
import { BLOCKED_ATTRIBUTE, sanitizeMessageHtml, type SanitizedHtml } from '../../src/core/message/sanitize';

const { window } = new JSDOM('<!DOCTYPE html><body></body>');
const PNG = 'data:image/png;base64,iVBORw0KGgo=';

function sanitize(html: string, inlineImages: Record<string, string> = {}): SanitizedHtml {
  return sanitizeMessageHtml(html, window, { inlineImages });
}

function dom(html: string): DocumentFragment {
  const template = window.document.createElement('template');
  template.innerHTML = html;
  return template.content;
}

const first = (html: string, selector: string) => dom(html).querySelector(selector);

describe('sanitising, rule by rule', () => {
  describe('forbidden elements', () => {
    const tags = [
      'noscript', 'iframe', 'frame', 'object', 'embed', 'applet', 'portal', 'base', 'meta', 'link', 'form', 'input',
      'button', 'textarea', 'select', 'datalist', 'keygen', 'dialog', 'template', 'slot',
    ];
    for (const tag of tags) {
      it(`<${tag}> is removed`, () => {
        const r = sanitize(`<div>before<${tag} id="x">inside</${tag}>after</div>`);
        assert.equal(dom(r.html).querySelector(tag), null, r.html);
        assert.equal(dom(r.html).querySelector('#x'), null, r.html);
        assert.match(dom(r.html).textContent ?? '', /before/);
      });
    }
    it('<option> and <optgroup> go even outside a select', () => {
      const r = sanitize('<datalist><optgroup label="g"><option>o</option></optgroup></datalist><p>kept</p>');
      assert.equal(dom(r.html).querySelector('option, optgroup'), null, r.html);
      assert.ok(first(r.html, 'p'));
    });
    it('counts each removed script', () => {
      assert.equal(sanitize('<script>a</script><p>x</p><script src="b.js"></script>').scriptsRemoved, 2);
      assert.equal(sanitize('<p>x</p>').scriptsRemoved, 0);
    });
    it('no SVG or MathML at all', () => {
      const r = sanitize('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg><math><mi>y</mi></math><p>z</p>');
      assert.equal(dom(r.html).querySelector('svg, math, text, mi'), null, r.html);
    });
  });

  describe('forbidden attributes', () => {
    const cases: [string, string][] = [
      ['target', '<a href="https://example.com" target="_top">x</a>'],
      ['ping', '<a href="https://example.com" ping="https://t.example/">x</a>'],
      ['autofocus', '<div autofocus tabindex="1">x</div>'],
      ['srcdoc', '<div srcdoc="&lt;script&gt;">x</div>'],
      ['http-equiv', '<div http-equiv="refresh">x</div>'],
      ['is', '<p is="x-evil">x</p>'],
      ['popover', '<div popover id="p">x</div>'],
      ['popovertarget', '<div popovertarget="p">x</div>'],
      ['action', '<div action="https://e.example/">x</div>'],
      ['formaction', '<div formaction="https://e.example/">x</div>'],
    ];
    for (const [attr, html] of cases) {
      it(`${attr} is removed`, () => {
        const r = sanitize(html);
        const el = dom(r.html).firstElementChild;
        assert.ok(el, r.html);
        // DOMPurify empties `is` rather than removing it (a customized built-in cannot be undone).
        assert.equal(attr === 'is' ? el.getAttribute(attr) || null : el.getAttribute(attr), null, r.html);
      });
    }
  });

  describe('script in attributes', () => {
    const fetching = ['src', 'srcset', 'lowsrc', 'dynsrc', 'poster', 'background', 'href', 'data', 'ping', 'action', 'formaction', 'manifest', 'codebase', 'archive'];
    for (const attr of fetching) {
      it(`${attr}="javascript:…" is removed and counted as a script`, () => {
        const r = sanitize(`<div ${attr}="java&#x09;script:alert(1)">x</div>`);
        assert.equal(r.scriptsRemoved, 1, r.html);
        assert.equal(first(r.html, 'div')?.hasAttribute(attr), false);
      });
    }
    for (const scheme of ['vbscript', 'livescript', 'JavaScript']) {
      it(`${scheme}: counts too`, () => {
        assert.equal(sanitize(`<img src="${scheme}:x">`).scriptsRemoved, 1);
      });
    }
    it('a URL that only mentions javascript: later is not a script', () => {
      const r = sanitize('<a href="https://example.com/?q=javascript:1">x</a>');
      assert.equal(r.scriptsRemoved, 0);
      assert.equal(first(r.html, 'a')?.getAttribute('href'), 'https://example.com/?q=javascript:1');
    });
    it('every on* handler is removed and counted', () => {
      const r = sanitize('<p onclick="a()" ONMOUSEOVER="b()" onfocus="c()">x</p>');
      assert.equal(r.scriptsRemoved, 3);
      assert.equal(first(r.html, 'p')?.attributes.length, 0);
    });
  });

  describe('links', () => {
    it('keeps web and mail links on <a> and <area>, whitespace and case as the URL parser allows', () => {
      for (const href of ['https://example.com/', 'HTTP://example.com/', 'mailto:a@example.com', ' \thttps://example.com/']) {
        const r = sanitize(`<a href="${href}">a</a><map><area href="${href}"></map>`);
        assert.equal(first(r.html, 'a')?.getAttribute('href')?.trim(), href.trim(), href);
        assert.equal(first(r.html, 'area')?.getAttribute('href')?.trim(), href.trim(), href);
        assert.equal(first(r.html, 'area')?.getAttribute('rel'), 'noopener noreferrer');
      }
    });
    it('removes other schemes from <a> and <area>, and still sets rel', () => {
      for (const href of ['ftp://example.com/', 'xhttps://example.com', 'file:///etc/passwd', 'vscode:extension/x', 'relative.html', '#top']) {
        const r = sanitize(`<a href="${href}">a</a><map><area href="${href}"></map>`);
        assert.equal(first(r.html, 'a')?.hasAttribute('href'), false, href);
        assert.equal(first(r.html, 'area')?.hasAttribute('href'), false, href);
        assert.equal(first(r.html, 'a')?.getAttribute('rel'), 'noopener noreferrer');
      }
    });
    it('a link without href still gets rel', () => {
      assert.equal(first(sanitize('<a name="x">a</a>').html, 'a')?.getAttribute('rel'), 'noopener noreferrer');
    });
    it('href on elements that are not links is removed', () => {
      const r = sanitize('<div href="https://example.com/">x</div>');
      assert.equal(first(r.html, 'div')?.hasAttribute('href'), false);
      assert.equal(r.remoteBlocked, 1);
    });
  });

  describe('images', () => {
    it('keeps raster data: images, not SVG or other data', () => {
      for (const [src, kept] of [
        [PNG, true], ['data:image/gif;base64,R0lG', true], ['data:image/jpeg;base64,/9j/', true], ['data:image/jpg;base64,/9j/', true],
        ['data:image/webp;base64,UklG', true], ['data:image/bmp;base64,Qk0=', true], ['data:image/avif;base64,AAAA', true], [` ${PNG}`, true],
        ['data:image/svg+xml;base64,PHN2Zz4=', false], ['data:text/html;base64,PGI+', false], [`x${PNG}`, false], ['data:image/png,raw', false],
      ] as [string, boolean][]) {
        const r = sanitize(`<img src="${src}" alt="a">`);
        assert.equal(first(r.html, 'img')?.getAttribute('src'), kept ? src.trim() : null, src);
        assert.equal(r.remoteBlocked, 0, src);
      }
    });

    it('marks a removed remote image for a placeholder, keeping its own title', () => {
      const r = sanitize('<img src="https://e.example/a.png" width="300" height="100" title="Logo"><img src="https://e.example/b.png">');
      const [titled, plain] = [...dom(r.html).querySelectorAll('img')];
      assert.equal(titled.getAttribute('title'), 'Logo');
      assert.equal(titled.getAttribute(BLOCKED_ATTRIBUTE), 'remote');
      assert.equal(plain.getAttribute('title'), 'Remote image blocked');
      assert.equal(plain.getAttribute(BLOCKED_ATTRIBUTE), 'remote');
      assert.equal(r.remoteBlocked, 2);
    });

    it('calls 1x1, 0-wide and 0-high images trackers, and others remote', () => {
      const kinds = (w: string, h: string) => first(sanitize(`<img src="https://t.example/p.gif"${w}${h}>`).html, 'img')?.getAttribute(BLOCKED_ATTRIBUTE);
      assert.equal(kinds(' width="1"', ' height="1"'), 'tracker');
      assert.equal(kinds(' width="0"', ' height="50"'), 'tracker');
      assert.equal(kinds(' width="50"', ' height="0"'), 'tracker');
      assert.equal(kinds(' width="1"', ' height="2"'), 'remote');
      assert.equal(kinds(' width="2"', ' height="1"'), 'remote');
      assert.equal(kinds('', ''), 'remote');
    });

    it('counts a remote srcset even when the src is inline, and only once per element', () => {
      const r = sanitize(`<img src="${PNG}" srcset="a.png 1x, https://e.example/b.png 2x">`);
      assert.equal(first(r.html, 'img')?.getAttribute('src'), PNG);
      assert.equal(first(r.html, 'img')?.hasAttribute('srcset'), false);
      assert.equal(r.remoteBlocked, 1);
      assert.equal(sanitize(`<img src="${PNG}" srcset="a.png 1x">`).remoteBlocked, 0);
      assert.equal(sanitize('<img src="https://e.example/a" srcset="https://e.example/b 2x" style="background:url(//e.example/c)">').remoteBlocked, 1);
    });

    it('treats http(s), protocol-relative, backslash and ftp sources as remote; relative ones are dropped quietly', () => {
      for (const src of ['https://e.example/a', 'http:e.example/a', '//e.example/a', '\\\\e.example/a', '/\\e.example/a', 'ftp://e.example/a', 'HTTPS://e.example/a']) {
        const r = sanitize(`<img src="${src}">`);
        assert.equal(r.remoteBlocked, 1, src);
        assert.equal(first(r.html, 'img')?.getAttribute(BLOCKED_ATTRIBUTE), 'remote', src);
      }
      for (const src of ['a.png', '/a.png', 'x//e.example/a', 'ftp:e.example']) {
        const r = sanitize(`<img src="${src}">`);
        assert.equal(r.remoteBlocked, 0, src);
        assert.equal(first(r.html, 'img')?.hasAttribute('src'), false, src);
        assert.equal(first(r.html, 'img')?.hasAttribute(BLOCKED_ATTRIBUTE), false, src);
      }
    });

    it('an image without src is left alone', () => {
      const r = sanitize('<img alt="nothing">');
      assert.equal(first(r.html, 'img')?.getAttribute('alt'), 'nothing');
      assert.equal(r.remoteBlocked, 0);
    });
  });

  describe('other fetching attributes', () => {
    it('removes remote poster, background and srcset, counting one per element', () => {
      const r = sanitize('<video poster="https://e.example/p.jpg"></video><table background="//e.example/bg.png"><tr><td>x</td></tr></table>');
      assert.equal(first(r.html, 'video')?.hasAttribute('poster'), false);
      assert.equal(first(r.html, 'table')?.hasAttribute('background'), false);
      assert.equal(r.remoteBlocked, 2);
    });
    it('drops relative ones without counting them', () => {
      const r = sanitize('<video poster="p.jpg"></video>');
      assert.equal(first(r.html, 'video')?.hasAttribute('poster'), false);
      assert.equal(r.remoteBlocked, 0);
    });
    it('resolves a cid: background to the inline image, and drops an unknown one', () => {
      const r = sanitize(`<table background="${PNG}"><tr><td background="cid:bg@x"></td></tr></table><div background="cid:nothing@x"></div>`, { 'bg@x': PNG });
      assert.equal(first(r.html, 'td')?.getAttribute('background'), PNG);
      assert.equal(first(r.html, 'div')?.hasAttribute('background'), false);
      assert.equal(r.remoteBlocked, 0);
    });
    it('does not keep a data: image in an attribute other than background', () => {
      assert.equal(first(sanitize(`<video poster="${PNG}"></video>`).html, 'video')?.hasAttribute('poster'), false);
    });
  });

  describe('styles', () => {
    it('removes a style attribute left empty, keeps what remains otherwise', () => {
      const r = sanitize('<p style="background: url(https://e.example/a)">a</p><b style="color: red; background: url(//e.example/b)">b</b>');
      assert.equal(first(r.html, 'p')?.hasAttribute('style'), false);
      assert.equal(first(r.html, 'b')?.getAttribute('style'), 'color: red');
      assert.equal(r.remoteBlocked, 2);
    });
    it('filters <style> elements and counts what they lost', () => {
      const r = sanitize('<style>p { color: red } q { background: url(https://e.example/q) }</style><p>x</p>');
      const css = first(r.html, 'style')?.textContent ?? '';
      assert.match(css, /color: red/);
      assert.ok(!css.includes('e.example'));
      assert.equal(r.remoteBlocked, 1);
      assert.equal(sanitize('<style></style><p>x</p>').remoteBlocked, 0);
    });
  });

  describe('cid: references (RFC 2392)', () => {
    const images = { 'logo@x': PNG, '<angled@x>': PNG, 'not-an-image@x': 'https://e.example/x.png', 'a b@x': PNG };
    const src = (ref: string) => first(sanitize(`<img src="${ref}">`, images).html, 'img')?.getAttribute('src') ?? null;
    it('finds a Content-ID as written, percent-encoded, or inside angle brackets', () => {
      assert.equal(src('cid:logo@x'), PNG);
      assert.equal(src('CID:logo@x'), PNG);
      assert.equal(src('cid:logo%40x'), PNG);
      assert.equal(src('cid:%3Clogo@x%3E'), PNG);
      assert.equal(src('cid:<angled@x>'), PNG);
      assert.equal(src('cid:a%20b@x'), PNG);
    });
    it('looks up malformed percent-encoding as written', () => {
      assert.equal(first(sanitize('<img src="cid:100%@x">', { '100%@x': PNG }).html, 'img')?.getAttribute('src'), PNG);
    });
    it('never uses a lookup result that is not a data: image, nor inherited properties', () => {
      assert.equal(src('cid:not-an-image@x'), null);
      assert.equal(src('cid:constructor'), null);
      assert.equal(src('cid:toString'), null);
      assert.equal(src('cid:missing@x'), null);
    });
  });
});
