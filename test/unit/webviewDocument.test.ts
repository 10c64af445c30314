/**
 * The message webview's Content Security Policy, read back out of the produced HTML and checked
 * directive by directive: what each directive must allow, and that nothing else is allowed.
 */
import * as assert from 'node:assert/strict';
import { JSDOM } from 'jsdom';
import { messageCsp, webviewDocument } from '../../src/panels/webviewDocument';
import { parseCsp } from '../support/csp';

const parts = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'abc123',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/message.css',
};

function documentOf(html: string): Document {
  return new JSDOM(html).window.document;
}

function cspOf(doc: Document): Map<string, string[]> {
  const metas = doc.querySelectorAll('meta[http-equiv="Content-Security-Policy" i]');
  assert.equal(metas.length, 1, 'exactly one CSP meta element');
  assert.ok(metas[0].closest('head'), 'the CSP is in the head, before anything loads');
  return parseCsp(metas[0].getAttribute('content') ?? '');
}

describe('the message webview document', () => {
  const doc = documentOf(webviewDocument(parts));
  const csp = cspOf(doc);

  it('starts from default-src \'none\': nothing loads unless a directive allows it', () => {
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
  });

  it('runs only scripts with this load\'s nonce', () => {
    assert.deepEqual(csp.get('script-src'), ["'nonce-abc123'"]);
    const scripts = [...doc.querySelectorAll('script')];
    assert.equal(scripts.length, 1);
    assert.equal(scripts[0].getAttribute('nonce'), 'abc123');
    assert.equal(scripts[0].getAttribute('src'), parts.scriptUri);
  });

  it('loads images only from the extension and data: URLs (inline cid: parts)', () => {
    assert.deepEqual(csp.get('img-src'), [parts.cspSource, 'data:']);
  });

  it('loads styles from the extension and inline (mail is styled inline), fonts from the extension only', () => {
    assert.deepEqual(csp.get('style-src'), [parts.cspSource, "'unsafe-inline'"]);
    assert.deepEqual(csp.get('font-src'), [parts.cspSource]);
    assert.equal(doc.querySelector('link[rel="stylesheet"]')?.getAttribute('href'), parts.styleUri);
  });

  it('lets no <base> move URLs and no form post anywhere (default-src does not cover these)', () => {
    assert.deepEqual(csp.get('base-uri'), ["'none'"]);
    assert.deepEqual(csp.get('form-action'), ["'none'"]);
  });

  it('has no other directive', () => {
    assert.deepEqual([...csp.keys()].sort(), ['base-uri', 'default-src', 'font-src', 'form-action', 'img-src', 'script-src', 'style-src']);
  });

  it('sends no referrer and declares its charset and viewport', () => {
    assert.equal(doc.querySelector('meta[name="referrer"]')?.getAttribute('content'), 'no-referrer');
    assert.equal(doc.characterSet, 'UTF-8');
    assert.match(doc.querySelector('meta[name="viewport"]')?.getAttribute('content') ?? '', /width=device-width/);
    assert.equal(doc.documentElement.lang, 'en');
    assert.equal(doc.title, 'Message');
    assert.equal(doc.querySelector('main#app')?.getAttribute('aria-busy'), 'true');
  });

  it('puts the same policy in the document as messageCsp gives', () => {
    assert.deepEqual(cspOf(doc), parseCsp(messageCsp(parts.cspSource, parts.nonce)));
  });

  it('escapes values so that a URI cannot end its attribute', () => {
    const hostile = documentOf(webviewDocument({ ...parts, scriptUri: 'x"><script>alert(1)</script>', styleUri: "a'&<b>" }));
    assert.equal(hostile.querySelectorAll('script').length, 1);
    assert.equal(hostile.querySelector('script')?.getAttribute('src'), 'x"><script>alert(1)</script>');
    assert.equal(hostile.querySelector('link')?.getAttribute('href'), "a'&<b>");
  });
});
