/** Replace the query part of the hash (filters, search) without re-rendering the page. */
export function setQuery(params) {
  const raw = location.hash.replace(/^#/, '') || '/runs';
  const path = raw.split('?')[0];
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const next = `#${path}${q.size ? `?${q}` : ''}`;
  if (next !== location.hash) history.replaceState(null, '', next);
}

/** Ask the header to refresh the review-queue count (after an approval, say). */
export function reviewsChanged() {
  window.dispatchEvent(new CustomEvent('intake:reviews-changed'));
}

/** Call fn at most once per `ms`, trailing: live events arrive in bursts (one per history event). */
export function debounce(fn, ms) {
  let timer;
  let running = false;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await fn();
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  schedule.cancel = () => clearTimeout(timer);
  schedule.now = run;
  return schedule;
}
