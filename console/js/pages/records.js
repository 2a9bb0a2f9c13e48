import { api } from '../api.js';
import { clear, emptyState, h, loading, notice } from '../dom.js';
import { confidenceBadge, fieldValue, timeEl } from '../format.js';
import { debounce, setQuery } from '../nav.js';

/** Records: the saved reagents, searchable, with CSV export. */
export async function render(root, _params, query) {
  document.title = 'Records · reagent-intake';
  let records = [];
  let error;
  const search = h('input', { type: 'search', id: 'records-search', value: query.get('q') ?? '', placeholder: 'Name, CAS, lot, manufacturer…', autocomplete: 'off' });
  const box = h('div', { class: 'table-wrap', 'aria-live': 'polite' }, loading('Loading records…'));
  const count = h('p', { class: 'muted' });
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Records'), h('p', { class: 'lede' }, 'Reagents saved by the pipeline, automatically or after review.')),
      h('a', { class: 'btn', href: api.recordsCsvUrl(), download: 'reagents.csv', id: 'csv-export' }, 'Export CSV'),
    ),
    h('div', { class: 'toolbar' }, h('div', { class: 'field field-inline' }, h('label', { for: 'records-search' }, 'Search'), search)),
    count,
    box,
  );
  search.addEventListener('input', () => {
    setQuery({ q: search.value.trim() });
    draw();
  });

  const refresh = debounce(async () => {
    try {
      ({ records } = await api.records());
      records.sort((a, b) => String(b.savedAt).localeCompare(String(a.savedAt)));
      error = undefined;
    } catch (err) {
      error = err;
    }
    draw();
  }, 400);

  function draw() {
    if (error) return clear(box, notice('error', 'Could not load the records.', error.message));
    if (!records.length) return clear(box, emptyState('No records yet.', 'A photo becomes a record when its run ends SAVED. ', h('a', { href: '#/upload' }, 'Upload photos')));
    const q = search.value.trim().toLowerCase();
    const shown = q ? records.filter((r) => [r.recordId, r.reviewer, ...Object.values(r.fields ?? {}).map(fieldValue)].some((v) => String(v ?? '').toLowerCase().includes(q))) : records;
    count.textContent = `${shown.length} of ${records.length} record${records.length === 1 ? '' : 's'}.`;
    if (!shown.length) return clear(box, emptyState('No records match.'));
    clear(
      box,
      h(
        'table',
        { class: 'table records-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Photo')), ['Product', 'CAS', 'Manufacturer', 'Catalog / lot', 'Grade / purity', 'Quantity', 'Expiry', 'Confidence', 'Saved'].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          {},
          shown.map((r) => {
            const f = r.fields ?? {};
            return h(
              'tr',
              { 'data-record': r.recordId },
              h('td', { class: 'thumb-cell' }, r.imageKey ? h('img', { class: 'thumb', src: api.imageUrl(r.imageKey, 96), alt: '', loading: 'lazy', width: 48, height: 48 }) : null),
              h('td', {}, h('div', { class: 'product' }, f.productName ?? '—'), f.productNameKo ? h('div', { class: 'sub', lang: 'ko' }, f.productNameKo) : null, f.formula ? h('div', { class: 'sub mono' }, f.formula, f.molecularWeight ? ` · ${f.molecularWeight}` : '') : null),
              h('td', { class: 'mono nowrap' }, f.casNumber ?? '—'),
              h('td', {}, f.manufacturer ?? '—'),
              h('td', {}, h('div', { class: 'mono' }, f.catalogNumber ?? '—'), h('div', { class: 'sub mono' }, f.lotNumber ? `lot ${f.lotNumber}` : '')),
              h('td', {}, f.grade ?? '—', f.purity ? h('div', { class: 'sub' }, f.purity) : null),
              h('td', { class: 'nowrap' }, fieldValue(f.quantity) || '—'),
              h('td', { class: 'nowrap' }, f.expiryDate ?? '—'),
              h('td', {}, confidenceBadge(r.overallConfidence, 'Overall confidence'), r.reviewed ? h('div', { class: 'sub' }, `reviewed by ${r.reviewer ?? 'someone'}`) : h('div', { class: 'sub' }, 'automatic')),
              h('td', {}, timeEl(r.savedAt), r.executionArn ? h('div', { class: 'sub' }, h('a', { href: `#/runs/${encodeURIComponent(r.executionArn)}` }, 'run')) : null),
            );
          }),
        ),
      ),
    );
  }

  await refresh.now();
  return { onEvent: (e) => (e.type === 'ExecutionSucceeded' ? refresh() : undefined), dispose: () => refresh.cancel() };
}
