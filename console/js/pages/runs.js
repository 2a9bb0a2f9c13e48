import { api } from '../api.js';
import { clear, emptyState, h, loading, notice } from '../dom.js';
import { confidenceBadge, duration, STATUS_ORDER, statusBadge, statusLabel, timeEl } from '../format.js';
import { debounce, setQuery } from '../nav.js';

/** Runs: every execution with its photo, product, confidence, duration; filter, search, live. */
export async function render(root, _params, query) {
  document.title = 'Runs · reagent-intake';
  let status = query.get('status') ?? '';
  let q = query.get('q') ?? '';
  let data;
  let error;

  const chips = h('div', { class: 'chips', role: 'group', 'aria-label': 'Filter by status' });
  const search = h('input', { type: 'search', id: 'runs-search', value: q, placeholder: 'File name, product, execution or intake id', autocomplete: 'off' });
  const body = h('div', { class: 'table-wrap', 'aria-live': 'polite', 'aria-busy': 'true' }, loading('Loading runs…'));
  const summary = h('p', { class: 'muted', id: 'runs-summary' });

  root.append(
    h(
      'div',
      { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Runs'), h('p', { class: 'lede' }, 'Every execution of the intake state machine, newest first. Updates live as photos move through it.')),
      h('a', { class: 'btn btn-primary', href: '#/upload' }, 'Upload photos'),
    ),
    h('div', { class: 'toolbar' }, chips, h('div', { class: 'field field-inline' }, h('label', { for: 'runs-search' }, 'Search'), search)),
    summary,
    body,
  );

  const refresh = debounce(async () => {
    try {
      data = await api.runs({ status, q });
      error = undefined;
    } catch (err) {
      error = err;
    }
    draw();
  }, 250);

  search.addEventListener('input', () => {
    q = search.value.trim();
    setQuery({ status, q });
    refresh();
  });

  function drawChips() {
    const counts = data?.counts ?? {};
    const statuses = STATUS_ORDER.filter((s) => counts[s] || s === status);
    for (const s of Object.keys(counts)) if (!statuses.includes(s)) statuses.push(s);
    const chip = (value, label, count) =>
      h(
        'button',
        {
          type: 'button',
          class: 'chip',
          'aria-pressed': String(status === value),
          'data-status': value || 'ALL',
          onClick: () => {
            status = value;
            setQuery({ status, q });
            refresh.now();
          },
        },
        label,
        h('span', { class: 'chip-count' }, String(count ?? 0)),
      );
    clear(chips, chip('', 'All', data?.total ?? 0), statuses.map((s) => chip(s, statusLabel(s), counts[s])));
  }

  function draw() {
    body.setAttribute('aria-busy', 'false');
    drawChips();
    if (error) {
      clear(body, notice('error', 'Could not load the runs.', error.message));
      return;
    }
    const runs = data.runs;
    summary.textContent = data.total === 0 ? '' : `Showing ${runs.length} of ${data.total} run${data.total === 1 ? '' : 's'}${status ? ` · status ${statusLabel(status)}` : ''}${q ? ` · matching “${q}”` : ''}.`;
    if (data.total === 0) {
      clear(body, emptyState('No runs yet.', 'Upload a photo of a reagent label and its execution appears here. ', h('a', { href: '#/upload' }, 'Upload photos')));
      return;
    }
    if (runs.length === 0) {
      clear(
        body,
        emptyState(
          'No runs match.',
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-link',
              onClick: () => {
                status = '';
                q = '';
                search.value = '';
                setQuery({});
                refresh.now();
              },
            },
            'Clear the filters',
          ),
        ),
      );
      return;
    }
    clear(
      body,
      h(
        'table',
        { class: 'table runs-table' },
        h('caption', { class: 'sr-only' }, 'Runs'),
        h(
          'thead',
          {},
          h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Photo')), ['Photo file', 'Status', 'Product found', 'Confidence', 'Duration', 'Started'].map((t) => h('th', { scope: 'col' }, t))),
        ),
        h('tbody', {}, runs.map(row)),
      ),
    );
  }

  function row(run) {
    const href = `#/runs/${encodeURIComponent(run.executionArn)}`;
    return h(
      'tr',
      { 'data-arn': run.executionArn, 'data-status': run.status },
      h('td', { class: 'thumb-cell' }, run.thumbnailKey ? h('img', { class: 'thumb', src: api.imageUrl(run.thumbnailKey, 96), alt: '', loading: 'lazy', width: 48, height: 48 }) : h('span', { class: 'thumb thumb-none', 'aria-hidden': 'true' }, '—')),
      h('td', {}, h('a', { href, class: 'run-link' }, run.fileName ?? run.name), h('div', { class: 'sub mono' }, run.name)),
      h('td', {}, statusBadge(run.status), run.reason ? h('div', { class: 'sub reason' }, run.reason) : null),
      h('td', { class: 'product' }, run.productName ?? h('span', { class: 'muted' }, '—')),
      h('td', {}, run.overallConfidence !== undefined ? confidenceBadge(run.overallConfidence, 'Overall confidence') : h('span', { class: 'muted' }, '—')),
      h('td', { class: 'num' }, run.durationMs !== undefined ? duration(run.durationMs) : h('span', { class: 'muted' }, run.executionStatus === 'RUNNING' ? 'running…' : '—')),
      h('td', {}, timeEl(run.startDate)),
    );
  }

  await refresh.now();
  return {
    onEvent: () => refresh(),
    dispose: () => refresh.cancel(),
  };
}
