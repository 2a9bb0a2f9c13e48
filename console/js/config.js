/**
 * Where the API lives. Read from `<meta name="intake-api-base">` in index.html — the one place to change it.
 * Empty means the origin that served the page, which is how the local stack runs the console.
 */
const meta = document.querySelector('meta[name="intake-api-base"]');
export const API_BASE = (meta?.getAttribute('content') ?? '').trim().replace(/\/+$/, '');

/** Sent on every state-changing request; the server refuses POSTs without it (cross-site protection). */
export const CSRF_HEADER = 'x-intake-csrf';
