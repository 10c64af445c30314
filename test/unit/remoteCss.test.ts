/**
 * The CSS filter on its own: every way mail CSS could fetch from the network is removed and
 * counted, and everything else survives intact. Expected outputs are written from CSS's rules
 * (what a browser would load), not copied from the filter.
 */
import * as assert from 'node:assert/strict';
import { filterInlineStyle, filterStyleSheet } from '../../src/core/message/remoteCss';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';
const noCid = () => undefined;
const inline = (style: string) => filterInlineStyle(style, noCid);
const sheet = (css: string) => filterStyleSheet(css, noCid);
/** Whitespace is not meaning in CSS: compare sheets with runs of it folded to one space. */
const norm = (css: string) => css.replace(/\s+/g, ' ').trim();

describe('filtering remote resources out of mail CSS', () => {
  describe('URLs in url()', () => {
    const remote = [
      'url(https://evil.example/x)',
      'url(http://evil.example/x)',
      'url(HTTPS://evil.example/x)',
      'url(//evil.example/x)',
      'url(\\\\\\\\evil.example/x)',
      'url(/\\\\evil.example/x)',
      'url(https:evil.example/x)',
      'url(http:evil.example/x)',
      'url(HtTpS:evil.example/x)',
      'url(ftp://evil.example/x)',
      'url(wss://evil.example/x)',
      'url(ws://evil.example/x)',
      'url(ht\ttps://evil.example/x)',
      'url( "https://evil.example/x" )',
      "url('//evil.example/x')",
      'URL(https://evil.example/x)',
    ];
    for (const value of remote) {
      it(`removes and counts ${JSON.stringify(value)}`, () => {
        const r = inline(`color: red; background: ${value}; margin: 0`);
        assert.equal(r.css, 'color: red; margin: 0');
        assert.equal(r.remoteBlocked, 1);
      });
    }

    for (const value of ['url(javascript:alert(1))', 'url(file:///etc/passwd)', 'url(relative.png)', 'url(#frag)']) {
      it(`removes ${JSON.stringify(value)} without counting it as remote`, () => {
        const r = inline(`background: ${value}; color: red`);
        assert.equal(r.css, ' color: red');
        assert.equal(r.remoteBlocked, 0);
      });
    }

    it('keeps data: URLs, however written', () => {
      for (const value of [`url(${PNG})`, `url("${PNG}")`, `url( ' ${PNG}' )`, 'url(DATA:image/gif;base64,R0lGOD==)']) {
        const r = inline(`background: ${value}`);
        assert.equal(r.css, `background: ${value}`);
        assert.equal(r.remoteBlocked, 0);
      }
    });
  });

  describe('other ways to name a URL', () => {
    it('image-set(), image(), cross-fade() with plain strings', () => {
      for (const fn of ['image-set("https://evil.example/a.png" 1x)', "image('//evil.example/a.png')", 'cross-fade("https://evil.example/a.png", red)', '-webkit-image-set("https://e.example/a" 1x)']) {
        const r = inline(`background-image: ${fn}; color: red`);
        assert.equal(r.css, ' color: red', fn);
        assert.equal(r.remoteBlocked, 1, fn);
      }
    });

    it('keeps quoted text that is no URL, such as content strings', () => {
      const r = inline('content: "https://example.com"; font-family: "Segoe UI"');
      assert.equal(r.css, 'content: "https://example.com"; font-family: "Segoe UI"');
    });

    it('sees through CSS escapes (CSS Syntax 3, 4.3.7)', () => {
      for (const value of ['\\75 rl(https://e.example/a)', '\\000075rl(https://e.example/a)', 'u\\rl(https://e.example/a)', 'url(\\68ttps://e.example/a)', 'url(h\\ttps:e.example/a)']) {
        const r = inline(`background: ${value}; color: red`);
        assert.equal(r.css, ' color: red', value);
        assert.equal(r.remoteBlocked, 1, value);
      }
    });

    it('does not let a broken escape open a hole', () => {
      for (const value of ['\\0 url(https://e.example/a)', '\\110000 url(https://e.example/a)', '\\d800 url(https://e.example/a)']) {
        assert.equal(inline(`background: ${value}`).css, '', value);
      }
    });

    it('reads comments out before looking for url(', () => {
      const r = inline('background: u/**/rl(https://e.example/a); color: /* a; b */ red');
      assert.equal(r.css, ' color:  red');
      assert.equal(r.remoteBlocked, 1);
    });

    it('keeps a comment marker inside a string as text', () => {
      const r = inline('content: "/* not a comment */"; color: red');
      assert.equal(r.css, 'content: "/* not a comment */"; color: red');
    });

    it('treats an unclosed comment as running to the end', () => {
      assert.equal(inline('color: red; /* background: url(https://e.example/a)').css, 'color: red');
    });
  });

  describe('script in CSS (old IE and Firefox)', () => {
    for (const decl of ['width: expression(alert(1))', '-moz-binding: url(data:text/xml,x)', 'behavior: url(x.htc)', 'width: EXPRESSION (alert(1))']) {
      it(`drops ${decl}`, () => {
        assert.equal(inline(`${decl}; color: red`).css, ' color: red');
      });
    }
  });

  describe('inline cid: images (RFC 2392)', () => {
    const resolve = (cid: string) => (cid === 'logo@x' ? PNG : undefined);
    it('replaces a known cid: with its data: URL', () => {
      for (const ref of ['url(cid:logo@x)', 'url("cid:logo@x")', "url( 'cid: logo@x' )", 'URL(CID:logo@x)']) {
        const r = filterInlineStyle(`background: ${ref}`, resolve);
        assert.equal(r.css, `background: url("${PNG}")`, ref);
        assert.equal(r.remoteBlocked, 0);
      }
    });
    it('drops an unknown cid: and does not count it as remote', () => {
      const r = filterInlineStyle('background: url(cid:other@x); color: red', resolve);
      assert.equal(r.css, ' color: red');
      assert.equal(r.remoteBlocked, 0);
    });
    it('resolves cid: in style sheets too', () => {
      assert.equal(filterStyleSheet('p { background: url(cid:logo@x) }', resolve).css, `p { background: url("${PNG}") ;}`);
    });
  });

  describe('style sheets', () => {
    it('keeps rules, nested at-rules and their declarations', () => {
      const r = sheet('p { color: red; margin: 0 }\n@media (max-width: 600px) { .a { width: 100% } }');
      assert.equal(norm(r.css), 'p { color: red; margin: 0 ;} @media (max-width: 600px) { .a { width: 100% ;}}');
      assert.equal(r.remoteBlocked, 0);
    });

    it('removes remote declarations inside rules and inside nested at-rules, counting each', () => {
      const r = sheet('p { color: red; background: url(https://e.example/a) }\n@media print { .b { background: url(//e.example/b); width: 1px } }');
      assert.ok(!r.css.includes('e.example'), r.css);
      assert.match(r.css, /color: red;/);
      assert.match(r.css, /width: 1px/);
      assert.equal(r.remoteBlocked, 2);
    });

    it('removes @import in every form, counting each', () => {
      for (const rule of ['@import url(https://e.example/a.css);', '@import "https://e.example/a.css";', "@import 'a.css';", '@IMPORT "x.css";', '@\\69mport "x.css";']) {
        const r = sheet(`${rule}\np { color: red }`);
        assert.ok(!/@import/i.test(r.css), r.css);
        assert.match(r.css, /p \{ color: red ;\}/);
        assert.equal(r.remoteBlocked, 1, rule);
      }
    });

    it('removes a block whose prelude is an @import', () => {
      const r = sheet('@import url(x.css) { p { color: red } }\nb { color: blue }');
      assert.ok(!r.css.includes('import'), r.css);
      assert.match(r.css, /b \{ color: blue ;\}/);
    });

    it('removes remote web fonts but keeps data: fonts', () => {
      const remote = sheet('@font-face { font-family: B; src: url(https://e.example/b.woff2) }\np { color: red }');
      assert.ok(!remote.css.includes('font-face'), remote.css);
      assert.equal(remote.remoteBlocked, 1);
      const local = sheet('@font-face { font-family: B; src: url(data:font/woff2;base64,AAAA) }');
      assert.match(local.css, /@font-face/);
      assert.match(local.css, /data:font\/woff2/);
      assert.equal(local.remoteBlocked, 0);
      const other = sheet('@font-face { font-family: B; src: url(b.woff2) }');
      assert.equal(other.css, '');
      assert.equal(other.remoteBlocked, 0);
      const escaped = sheet('@font-f\\61 ce { font-family: B; src: url(https://e.example/b.woff2) }');
      assert.equal(escaped.css, '');
    });

    it('removes :host rules and rules whose selector names a URL', () => {
      const r = sheet(':host { position: fixed }\na[href=url(https://e.example)] { color: red }\np { color: blue }');
      assert.equal(norm(r.css), 'p { color: blue ;}');
    });

    it('keeps @charset, @layer and @namespace statements, and drops other at-statements', () => {
      const r = sheet('@charset "utf-8";\n@layer base;\n@namespace svg "http://www.w3.org/2000/svg";\n@custom-media --x (max-width: 1px);\np { color: red }');
      assert.match(r.css, /@charset "utf-8";/);
      assert.match(r.css, /@layer base;/);
      assert.ok(!r.css.includes('@custom-media'), r.css);
    });

    it('drops a @namespace that names a URL with url()', () => {
      assert.ok(!sheet('@namespace url(https://e.example/ns);').css.includes('@namespace'));
    });

    it('honours strings, brackets and escapes when splitting rules', () => {
      const r = sheet('p::after { content: "}; {" } q { content: \'a;b\' } r { background: image-set("a;b" 1x) } s { content: "\\"}" }');
      assert.match(r.css, /p::after \{ content: "\}; \{" ;\}/);
      assert.match(r.css, /q \{ content: 'a;b' ;\}/);
      assert.match(r.css, /s \{ content: "\\"\}" ;\}/);
    });

    it('recovers from stray and unclosed braces as CSS does', () => {
      assert.equal(norm(sheet('} p { color: red }').css), 'p { color: red ;}');
      const unclosed = sheet('p { color: red; q { background: url(https://e.example/a)');
      assert.ok(!unclosed.css.includes('e.example'), unclosed.css);
    });

    it('ends a string at a newline, as CSS does', () => {
      const r = sheet('p { content: "open\n; background: url(https://e.example/a) }');
      assert.ok(!r.css.includes('e.example'), r.css);
    });
  });

  describe('the final check', () => {
    it('drops everything when something remote survived the scanner', () => {
      // The scanner keeps a url() inside a string argument as text; the check over the result sees it.
      const r = inline('font-family: "x url(https://e.example/a)"');
      assert.equal(r.css, '');
      assert.equal(r.remoteBlocked, 1);
    });

    it('drops a sheet in which an @import survived, e.g. inside a string', () => {
      const r = sheet('p { content: "@import" }');
      assert.equal(r.css, '');
      assert.equal(r.remoteBlocked, 1);
    });
  });

  it('leaves blocks and statements of an inline style alone when nothing is remote', () => {
    assert.equal(inline('color: red;;  ; margin: 0').css, 'color: red; margin: 0');
    assert.equal(inline('p { color: red }').css, '');
  });
  describe('exact results', () => {
    it('leaves a sheet as if a removed @import or web font had never been there', () => {
      const imported = sheet('@import "x.css";\np { color: red }');
      assert.equal(imported.css, sheet('\np { color: red }').css);
      assert.equal(imported.remoteBlocked, 1);
      const font = sheet('@font-face { font-family: B; src: url(https://e.example/b.woff2) }\np { color: red }');
      assert.equal(font.css, sheet('\np { color: red }').css);
      assert.equal(font.remoteBlocked, 1);
    });

    it('keeps a rule whose only declaration was remote as an empty rule', () => {
      const r = sheet('p { background: url(https://e.example/a) }');
      assert.equal(r.css, 'p {}');
      assert.equal(r.remoteBlocked, 1);
    });

    it('keeps exactly @charset, @layer and @namespace, not at-rules whose names only begin so', () => {
      const r = sheet('@layers x;\n@charset-x "y";\n@namespacex z;\n@x @layer y;\n@layer base;\n@font-feature-values x;\np { color: red }');
      assert.equal(norm(r.css), '@layer base; p { color: red ;}');
      assert.equal(r.remoteBlocked, 0);
    });

    it('drops everything nested in a :host rule', () => {
      const r = sheet(':host { p { color: red } @font-face { src: url(https://e.example/b) } }\nb { color: blue }');
      assert.equal(norm(r.css), 'b { color: blue ;}');
    });

    it('closes blocks left open at the end, counting what they removed', () => {
      assert.equal(sheet('p { color: red').css, 'p { color: red;}');
      const r = sheet('p { q { background: url(https://e.example/a)');
      assert.equal(r.css, 'p { q {}}');
      assert.equal(r.remoteBlocked, 1);
    });
  });

  describe('web fonts, judged by everything in the @font-face rule', () => {
    it('keeps a data: font whose family name is quoted', () => {
      const css = '@font-face { font-family: "Brand"; src: url(data:font/woff2;base64,AAAA) }';
      const r = sheet(css);
      assert.equal(norm(r.css), '@font-face { font-family: "Brand"; src: url(data:font/woff2;base64,AAAA) ;}');
      assert.equal(r.remoteBlocked, 0);
    });

    for (const src of [
      'url(data:font/woff2;base64,AAAA), url(https://e.example/b.woff2)',
      'image-set("https://e.example/b.woff2" 1x)',
    ]) {
      it(`drops the whole rule for src: ${src}, counting it once`, () => {
        const r = sheet(`@font-face { font-family: B; src: ${src} }\np { color: red }`);
        assert.equal(norm(r.css), 'p { color: red ;}');
        assert.equal(r.remoteBlocked, 1);
      });
    }

    it('drops the whole rule for a remote src in a block nested inside it', () => {
      const r = sheet('@font-face { font-family: B; @supports (x: y) { src: url(https://e.example/b.woff2) } }\np { color: red }');
      assert.equal(norm(r.css), 'p { color: red ;}');
      assert.equal(r.remoteBlocked, 1);
    });
  });

  describe('splitting a style sheet', () => {
    it('keeps a `;` inside brackets in its declaration', () => {
      assert.equal(norm(sheet('p { font: var(--x, a;b); color: red }').css), 'p { font: var(--x, a;b); color: red ;}');
      assert.equal(norm(sheet('p { a: f((1);2); color: red }').css), 'p { a: f((1);2); color: red ;}');
    });

    it('ignores a stray `)`', () => {
      assert.equal(norm(sheet('p { margin: 0); color: red }').css), 'p { margin: 0); color: red ;}');
    });

    it('reads braces inside a function as part of it (CSS Syntax 3, 5.4.9)', () => {
      assert.equal(norm(sheet('p { a: f({}); color: red } q { color: blue }').css), 'p { a: f({}); color: red ;} q { color: blue ;}');
      assert.equal(norm(sheet('p { a: f(}); color: red } q { color: blue }').css), 'p { a: f(}); color: red ;} q { color: blue ;}');
      assert.equal(norm(sheet('p:is(}) { color: red } q { color: blue }').css), 'p:is(}) { color: red ;} q { color: blue ;}');
    });

    it('ends a string at a newline, so the next declaration stands alone', () => {
      assert.equal(norm(sheet('p { content: "open\n; color: red }').css), 'p { content: "open ; color: red ;}');
    });

    it("honours single-quoted strings", () => {
      assert.equal(norm(sheet("p { content: '}' } q { color: red }").css), "p { content: '}' ;} q { color: red ;}");
    });
  });

  describe('splitting a style attribute', () => {
    it('drops a block in it, wherever it ends', () => {
      for (const block of ['p { margin: 0; q { a: b } }', 'p { content: "}" }', "p { content: '}' }", 'p { content: \\} }', 'p { content: "a\n}', 'p {content: "x"}']) {
        assert.equal(inline(`color: red; ${block} margin: 1px`).css, 'color: red; margin: 1px', block);
      }
      assert.equal(inline('color: red; p { margin: 0').css, 'color: red');
    });

    it('keeps `;` and braces inside strings and brackets in their declaration', () => {
      for (const style of ['content: "a;b"; color: red', "content: 'a;b'; color: red", 'font-family: "x\\"; y"; color: red', 'width: calc((1px);2px); color: red', 'background-image: image-set(x{y} 1x); color: red', 'width: f(}); color: red', 'content: "a;} b"; color: red', "content: 'a;} b'; color: red", 'font-family: "x\\";} y"; color: red']) {
        assert.equal(inline(style).css, style);
      }
    });

    it('judges a split inside brackets as one declaration', () => {
      const r = inline('background: f((a);url(https://e.example/a)); color: red');
      assert.equal(r.css, ' color: red');
      assert.equal(r.remoteBlocked, 1);
    });

    it('finds the end of a block despite escapes and nested blocks, and counts nothing in it (a block is no declaration)', () => {
      for (const block of ['p { content: \\}; background: url(https://e.example/a); }', 'p { q { a: b } background: url(https://e.example/a); }']) {
        const r = inline(`color: red; ${block} margin: 1px`);
        assert.equal(r.css, 'color: red; margin: 1px', block);
        assert.equal(r.remoteBlocked, 0, block);
      }
    });

    it('ends a string at a newline, so the next declaration is judged on its own', () => {
      const r = inline('content: "a\n; background: url(https://e.example/a)');
      assert.equal(r.css, 'content: "a\n');
      assert.equal(r.remoteBlocked, 1);
    });

    it('drops a stray `}` together with the declaration before it', () => {
      assert.equal(inline('color: red } margin: 0').css, ' margin: 0');
    });
  });

  describe('comments', () => {
    it('keeps comment markers in strings with escaped quotes, and at the very end', () => {
      for (const style of ['content: "a\\"/*"; color: red', 'content: "a\\', 'content: "a /* b */"; color: red', "content: 'a /* b */'; color: red"]) {
        assert.equal(inline(style).css, style);
      }
    });

    it('removes a comment right after a string', () => {
      assert.equal(inline('content: "a" /* x */ ; color: red').css, 'content: "a"  ; color: red');
      assert.equal(inline("content: 'a' /* x */ ; color: red").css, "content: 'a'  ; color: red");
    });

    it('needs `/*` to open a comment and a separate `*/` to close it', () => {
      assert.equal(inline('width: calc(2*3); color: red').css, 'width: calc(2*3); color: red');
      assert.equal(inline('color: /*/ blue; */ red').css, 'color:  red');
    });
  });

  describe('classifying URLs', () => {
    it('reads \\0 as U+FFFD, which makes no scheme (CSS Syntax 3, 4.3.7)', () => {
      const r = inline('background: url(h\\0 ttps://e.example/a); color: red');
      assert.equal(r.css, ' color: red');
      assert.equal(r.remoteBlocked, 0);
    });

    it('does not call a relative URL remote for a remote URL in its query', () => {
      const r = inline('background: url(a.png?next=https://e.example/); color: red');
      assert.equal(r.css, ' color: red');
      assert.equal(r.remoteBlocked, 0);
    });

    it('drops behavior however it is spaced', () => {
      for (const decl of ['behavior:x', 'behavior  :x']) {
        assert.equal(inline(`${decl}; color: red`).css, ' color: red', decl);
      }
    });

    it('takes strings as URLs after an image function even with space before the bracket (stricter than CSS)', () => {
      const r = inline('background-image: image-set ("https://e.example/a.png" 1x); color: red');
      assert.equal(r.css, ' color: red');
      assert.equal(r.remoteBlocked, 1);
    });

    it('the final check sees a remote string and an image function in different declarations', () => {
      for (const css of ['p { content: "//e.example/x"; background: image(red) }', 'a[title="//e.example/x"] { background: image(red) }']) {
        const r = sheet(css);
        assert.equal(r.css, '', css);
        assert.equal(r.remoteBlocked, 1, css);
      }
    });
  });
});
