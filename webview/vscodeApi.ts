/**
 * The webview's only door to the extension host. `acquireVsCodeApi` may be called once per
 * page load, so this module calls it and everything else imports the result.
 */
import type { WebviewMessage, WebviewState } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): WebviewState | undefined;
  setState(state: WebviewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();
