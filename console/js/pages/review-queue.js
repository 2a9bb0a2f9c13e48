import { api } from '../api.js';
import { clear, emptyState, h, loading, notice } from '../dom.js';
import { ago, confidenceBadge, statusBadge, timeEl } from '../format.js';
import { debounce, setQuery } from '../nav.js';

const STATUSES = [
  ['PENDING', 'Waiting'],
  ['APPROVED', 'Approved'],
  ['REJECTED', 'Rejected'],
  ['EXPIRED', 'Expired'],
];

/** Review queue: low-confidence items waiting for a person, oldest first. */
export async function render(root, _params, query) {
  document.title = 'Review queue · reagent-intake';
  let status = query.get('status') ?? 'PENDING';
  const list = h('div', { 'aria-live': 'polite' }, loading('Loading reviews…'));
  const select = h('select', { id: 'review-status' }, STATUSES.map(([v, t]) => h('option', { value: v, selected: v === status }, t)));
  select.addEventListener('change', () => {
    status = select.value;
    setQuery({ status: status === 'PENDING' ? '' : status });
    refresh.now();
  });
  root.append(
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Review queue'), h('p', { class: 'lede' }, 'Photos whose fields the pipeline was not confident about. Each one holds its execution at HumanReview until you approve or reject it.'))),
    h('div', { class: 'toolbar' }, h('div', { class: 'field field-inline' }, h('label', { for: 'review-status' }, 'Show'), select)),
    list,
  );

  const refresh = debounce(async () => {
    let reviews;
    try {
      ({ reviews } = await api.reviews(status));
    } catch (err) {
      clear(list, notice('error', 'Could not load the review queue.', err.message));
      return;
    }
    if (status === 'PENDING') reviews.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    else reviews.sort((a, b) => (b.decidedAt ?? b.createdAt).localeCompare(a.decidedAt ?? a.createdAt));
    if (!reviews.length) {
      clear(
        list,
        status === 'PENDING'
          ? emptyState('Nothing to review.', 'Items appear here when a photo’s confidence is below the threshold or its label could not be read.')
          : emptyState('No reviews with this status.'),
      );
      return;
    }
    clear(list, h('ul', { class: 'review-list' }, reviews.map(item)));
  }, 250);

  function item(r) {
    const title = r.fields?.productName || r.fields?.productNameKo || 'Unreadable label';
    return h(
      'li',
      { class: 'review-item', 'data-review': r.reviewId },
      h('img', { class: 'thumb thumb-lg', src: api.imageUrl(r.imageKey, 160), alt: '', loading: 'lazy', width: 80, height: 80 }),
      h(
        'div',
        { class: 'review-item-main' },
        h('h2', { class: 'review-item-title' }, h('a', { href: `#/reviews/${encodeURIComponent(r.reviewId)}` }, title)),
        h('p', { class: 'sub' }, [r.fields?.manufacturer, r.fields?.casNumber, r.sourceKey?.split('/').pop()].filter(Boolean).join(' · ')),
        h('ul', { class: 'reasons' }, (r.reasons ?? [r.reason]).slice(0, 3).map((x) => h('li', {}, x)), (r.reasons?.length ?? 0) > 3 ? h('li', { class: 'muted' }, `and ${r.reasons.length - 3} more`) : null),
      ),
      h(
        'div',
        { class: 'review-item-side' },
        status === 'PENDING' ? null : statusBadge(r.status),
        confidenceBadge(r.overallConfidence, 'Overall confidence'),
        h('span', { class: 'sub' }, status === 'PENDING' ? `waiting ${ago(r.createdAt).replace(' ago', '')}` : timeEl(r.decidedAt)),
        r.reviewer ? h('span', { class: 'sub' }, `by ${r.reviewer}`) : null,
        status === 'PENDING' ? h('a', { class: 'btn btn-primary btn-small', href: `#/reviews/${encodeURIComponent(r.reviewId)}` }, 'Review', h('span', { class: 'sr-only' }, ` ${title}`)) : null,
      ),
    );
  }

  await refresh.now();
  return { onEvent: () => refresh(), dispose: () => refresh.cancel() };
}
