import { api } from './api.js';
import { clear, h, notice } from './dom.js';
import * as runs from './pages/runs.js';
import * as runDetail from './pages/run-detail.js';
import * as reviewQueue from './pages/review-queue.js';
import * as review from './pages/review.js';
import * as upload from './pages/upload.js';
import * as records from './pages/records.js';
import * as catalog from './pages/catalog.js';

/** Hash routes (`#/runs/<arn>`): they work from any static host, with or without an SPA fallback. */
const ROUTES = [
  { pattern: /^\/?$/, page: runs, nav: 'runs' },
  { pattern: /^\/runs$/, page: runs, nav: 'runs' },
  { pattern: /^\/runs\/(.+)$/, page: runDetail, nav: 'runs' },
  { pattern: /^\/reviews$/, page: reviewQueue, nav: 'reviews' },
  { pattern: /^\/reviews\/(.+)$/, page: review, nav: 'reviews' },
  { pattern: /^\/upload$/, page: upload, nav: 'upload' },
  { pattern: /^\/records$/, page: records, nav: 'records' },
  { pattern: /^\/catalog$/, page: catalog, nav: 'catalog' },
];

const main = document.getElementById('main');
let current;
let lastPath;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/runs';
  const [path, query = ''] = raw.split('?');
  return { path, query: new URLSearchParams(query) };
}

let generation = 0;

async function route() {
  const { path, query } = parseHash();
  // Filters rewrite the query with replaceState (no hashchange); a real navigation re-renders.
  if (location.hash === lastPath) return;
  lastPath = location.hash;
  const mine = ++generation;
  current?.dispose?.();
  current = undefined;
  const match = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (match && a.dataset.nav === match.r.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  // Each page renders into its own container, so a slow page that was navigated away from cannot leak into the next.
  const container = h('div', { class: 'page' });
  clear(main, container);
  if (!match) {
    document.title = 'Not found · reagent-intake';
    container.append(h('h1', {}, 'Page not found'), notice('warning', 'There is no page at this address.', h('a', { href: '#/runs' }, 'Go to the runs')));
    return;
  }
  const params = match.m.slice(1).map((p) => decodeURIComponent(p));
  let page;
  try {
    page = (await match.r.page.render(container, params, query)) ?? {};
  } catch (err) {
    container.append(notice('error', 'This page could not be shown.', err.message));
    page = {};
  }
  if (mine !== generation) {
    page.dispose?.();
    container.remove();
    return;
  }
  current = page;
  if (document.activeElement === document.body || !document.activeElement) main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', route);

/** Live updates: the server's event stream (one message per execution history event). */
const live = document.getElementById('live-status');
let pendingBadge;
function connect() {
  const source = api.events();
  source.addEventListener('open', () => {
    live.dataset.state = 'live';
    live.textContent = 'Live';
    live.title = 'Receiving live updates from the intake server';
    current?.onEvent?.({ type: 'Reconnected' });
    refreshReviewBadge();
  });
  source.addEventListener('error', () => {
    live.dataset.state = 'down';
    live.textContent = 'Reconnecting…';
    live.title = 'The live update stream is interrupted; the browser retries automatically.';
  });
  source.addEventListener('execution', (e) => {
    let data;
    try {
      data = JSON.parse(e.data);
    } catch {
      return;
    }
    current?.onEvent?.(data);
    clearTimeout(pendingBadge);
    pendingBadge = setTimeout(refreshReviewBadge, 400);
  });
}

const badge = document.getElementById('review-count');
window.addEventListener('intake:reviews-changed', () => refreshReviewBadge());
async function refreshReviewBadge() {
  try {
    const { reviews } = await api.reviews('PENDING');
    badge.hidden = reviews.length === 0;
    badge.textContent = String(reviews.length);
    badge.setAttribute('aria-label', `${reviews.length} waiting`);
  } catch {
    badge.hidden = true;
  }
}

route();
connect();
refreshReviewBadge();
