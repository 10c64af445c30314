/**
 * Styles inside the shadow root that holds an HTML mail body. HTML mail is designed for a light
 * page, so it gets one, like a sheet of paper on the themed view; the mail's own CSS comes after.
 */
export const MAIL_BODY_STYLE = `
:host {
  display: block;
  color-scheme: light;
}
.mail-root {
  background: #ffffff;
  color: #1f1f1f;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  font-size: 14px;
  line-height: 1.45;
  padding: 16px 20px;
  border-radius: 4px;
  overflow-wrap: anywhere;
  overflow-x: auto;
}
.mail-root img {
  max-width: 100%;
  height: auto;
}
.mail-root a {
  color: #0563c1;
  cursor: pointer;
}
.mail-root a:not([href]) {
  color: inherit;
  text-decoration: none;
  cursor: text;
}
.mail-root img[data-mailroom-blocked="remote"] {
  display: inline-block;
  box-sizing: border-box;
  min-width: 24px;
  min-height: 24px;
  max-height: 160px;
  border: 1px dashed #9a9a9a;
  background: repeating-linear-gradient(45deg, #f3f3f3, #f3f3f3 6px, #e9e9e9 6px, #e9e9e9 12px);
  color: #555555;
  font-size: 12px;
}
.mail-root img[data-mailroom-blocked="tracker"] {
  display: none;
}
`;
