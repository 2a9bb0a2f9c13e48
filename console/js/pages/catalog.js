import { api } from '../api.js';
import { clear, emptyState, h, loading, notice } from '../dom.js';
import { timeEl } from '../format.js';
import { setQuery } from '../nav.js';

/** Catalog: the known products the confidence check compares against, marking those learned from reviews. */
export async function render(root, _params, query) {
  document.title = 'Catalog · reagent-intake';
  let source = query.get('source') ?? '';
  const search = h('input', { type: 'search', id: 'catalog-search', value: query.get('q') ?? '', placeholder: 'Name, CAS, formula…', autocomplete: 'off' });
  const sourceSel = h('select', { id: 'catalog-source' }, [['', 'All products'], ['learned', 'Learned from reviews'], ['shipped', 'Shipped with the app']].map(([v, t]) => h('option', { value: v, selected: v === source }, t)));
  const box = h('div', { class: 'table-wrap', 'aria-live': 'polite' }, loading('Loading the catalog…'));
  const count = h('p', { class: 'muted' });
  root.append(
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Catalog'), h('p', { class: 'lede' }, 'Known products. A reviewer’s approved corrections add new products here, so the next bottle of them is recognised with confidence.'))),
    h('div', { class: 'toolbar' }, h('div', { class: 'field field-inline' }, h('label', { for: 'catalog-source' }, 'Show'), sourceSel), h('div', { class: 'field field-inline' }, h('label', { for: 'catalog-search' }, 'Search'), search)),
    count,
    box,
  );
  let entries;
  try {
    ({ entries } = await api.catalog());
  } catch (err) {
    clear(box, notice('error', 'Could not load the catalog.', err.message));
    return {};
  }
  entries.sort((a, b) => (a.source === b.source ? a.name.localeCompare(b.name) : a.source === 'learned' ? -1 : 1));

  function draw() {
    source = sourceSel.value;
    const q = search.value.trim().toLowerCase();
    setQuery({ source, q });
    const shown = entries.filter(
      (e) => (!source || e.source === source) && (!q || [e.name, e.nameKo, e.cas, e.formula, e.manufacturer, e.catalogNumber, ...(e.synonyms ?? [])].some((v) => String(v ?? '').toLowerCase().includes(q))),
    );
    const learned = entries.filter((e) => e.source === 'learned').length;
    count.textContent = `${shown.length} of ${entries.length} products · ${learned} learned from reviews.`;
    if (!entries.length) return clear(box, emptyState('The catalog is empty.'));
    if (!shown.length) return clear(box, emptyState(source === 'learned' && !q ? 'Nothing learned yet.' : 'No products match.', source === 'learned' ? 'Approving a review of a product the catalog does not know adds it here.' : ''));
    clear(
      box,
      h(
        'table',
        { class: 'table catalog-table' },
        h('thead', {}, h('tr', {}, ['Product', 'CAS', 'Formula', 'M.W.', 'Manufacturer / catalog no.', 'Source'].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          {},
          shown.map((e) =>
            h(
              'tr',
              { 'data-cas': e.cas, 'data-source': e.source, class: e.source === 'learned' ? 'learned' : undefined },
              h('td', {}, h('div', { class: 'product' }, e.name), e.nameKo ? h('div', { class: 'sub', lang: 'ko' }, e.nameKo) : null, e.synonyms?.length ? h('div', { class: 'sub' }, e.synonyms.slice(0, 3).join(', ')) : null),
              h('td', { class: 'mono nowrap' }, e.cas),
              h('td', { class: 'mono' }, e.formula),
              h('td', { class: 'num' }, e.molecularWeight !== undefined ? String(e.molecularWeight) : '—'),
              h('td', {}, e.manufacturer ?? h('span', { class: 'muted' }, '—'), e.catalogNumber ? h('div', { class: 'sub mono' }, e.catalogNumber) : null),
              h('td', {}, e.source === 'learned' ? [h('span', { class: 'badge badge-learned' }, 'Learned'), e.learnedAt ? h('div', { class: 'sub' }, timeEl(e.learnedAt)) : null] : h('span', { class: 'badge badge-muted' }, 'Shipped')),
            ),
          ),
        ),
      ),
    );
  }
  sourceSel.addEventListener('change', draw);
  search.addEventListener('input', draw);
  draw();
  return {};
}
