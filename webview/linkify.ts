/**
 * Plain-text bodies are shown as text, never as HTML: this turns web and mail addresses into
 * links and leaves every other character as a text node.
 */

// Stops before trailing punctuation that usually ends the sentence rather than the URL.
const LINK_PATTERN = /\b(?:https?:\/\/|mailto:)[^\s<>"]*[^\s<>"'.,;:!?\]}]/gi;

/** Appends `text` to `parent`, with http, https and mailto addresses as links. */
export function appendLinkifiedText(parent: Node, text: string): void {
  const doc = parent.ownerDocument ?? document;
  let last = 0;
  for (const match of text.matchAll(LINK_PATTERN)) {
    const start = match.index ?? 0;
    const href = balanceParentheses(match[0]);
    if (start > last) {
      parent.appendChild(doc.createTextNode(text.slice(last, start)));
    }
    const link = doc.createElement('a');
    link.href = href;
    link.rel = 'noopener noreferrer';
    link.textContent = href;
    parent.appendChild(link);
    last = start + href.length;
  }
  if (last < text.length) {
    parent.appendChild(doc.createTextNode(text.slice(last)));
  }
}

/** Keeps a closing parenthesis only when the URL opened one, as in Wikipedia links. */
function balanceParentheses(url: string): string {
  let result = url;
  while (result.endsWith(')') && count(result, '(') < count(result, ')')) {
    result = result.slice(0, -1);
  }
  return result;
}

function count(text: string, ch: string): number {
  return text.split(ch).length - 1;
}
