/**
 * The one contract between the extension host and the message webview. Both sides import it;
 * nothing crosses the boundary that is not described here.
 *
 * Handshake: the webview posts `ready` once its script runs; only then does the host post.
 */
// The webview is bundled for the browser: it takes core's plain data types straight from the model,
// not through core's index, which would bring the Node side of core into its type check
// (`npx tsc -p tsconfig.webview.json`: no Node types there, and the bundler's module resolution).
import type { MessageRef } from '../core/model/ids';
import type { MessageContent, MessageSummary } from '../core/model/types';

/** Host → webview. */
export type HostMessage =
  /** `state` is what the webview keeps with `setState`, so that a restored panel reopens the same message. */
  | { type: 'loading'; summary?: MessageSummary; state?: WebviewState }
  | {
      type: 'show';
      message: MessageContent;
      options: RenderOptions;
      /** Content-ID (without angle brackets) → `data:` URL, for `cid:` references in the HTML (RFC 2392). */
      inlineImages: Record<string, string>;
      state?: WebviewState;
    }
  /** `summary`: what the mirror knows of the message (subject, sender, date), shown above the note. */
  | { type: 'error'; title: string; detail: string; summary?: MessageSummary };

export interface RenderOptions {
  /** Remote content (images, CSS, fonts) is blocked always for now; the banner says so when some was removed. */
  blockRemoteContent: true;
}

/** Webview → host. */
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'openLink'; href: string }
  | { type: 'downloadAttachment'; index: number }
  /** Sent after each render so tests and the host know what the user sees. */
  | { type: 'rendered'; uid: number; remoteBlocked: number; scriptsRemoved: number };

/** State the webview keeps with `setState` so a restored panel can show the same message again. */
export type WebviewState = MessageRef;
