/**
 * The one Content-Security-Policy of the app, used by the Electron window (response header on the
 * app protocol), the web shell (response header) and the renderer's meta tag (checked by a test).
 * No inline or remote script, no eval, no plugins, no framing, no form posts. Inline *styles* are
 * allowed because the accessible UI primitives position popovers with style attributes.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
