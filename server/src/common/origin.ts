/**
 * Which browser origins may open the websocket (a page on another site must not ride a signed-in
 * device's connection). Native clients send no Origin and are allowed; a browser's Origin must be
 * the server's own, one listed in ALLOWED_ORIGINS, or (outside production) a localhost one.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, opts: { allowed: readonly string[]; production: boolean }): boolean {
  if (!origin) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (host && url.host === host) return true;
  if (opts.allowed.includes(url.origin)) return true;
  return !opts.production && (url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]');
}
