/**
 * The page's Content-Security-Policy: only its own scripts, styles and API, no inline script or
 * style, no framing. Sent with the page and every asset.
 */
export const CACHE_UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Headers of every /cache/ui answer. */
export const CACHE_UI_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CACHE_UI_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // Small files, revalidated on each load, so a deploy is seen at once.
  'Cache-Control': 'no-cache',
};
