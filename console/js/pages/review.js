import { api } from '../api.js';
import { announce, clear, confirmDialog, h, isTyping, loading, notice, s } from '../dom.js';
import { confidenceBadge, confidenceTone, FIELD_LABELS, FIELD_NAMES, fieldValue, QUANTITY_UNITS, statusBadge, statusLabel, timeEl } from '../format.js';
import { reviewsChanged } from '../nav.js';

const REVIEWER_KEY = 'intake.reviewer';
const FINAL = ['SAVED', 'REJECTED', 'REVIEW_EXPIRED', 'FAILED', 'DUPLICATE'];
const ZOOMS = [1, 1.5, 2, 3, 4];

/**
 * One review: the photo with its OCR boxes beside the extracted fields, every field editable, approve or
 * reject. The decision resumes the waiting execution; the page follows it to its end.
 */
export async function render(root, [reviewId]) {
  document.title = 'Review · reagent-intake';
  root.append(loading('Loading the review…'));
  let review;
  try {
    review = await api.review(reviewId);
  } catch (err) {
    clear(root, h('p', { class: 'crumbs' }, h('a', { href: '#/reviews' }, '← Review queue')), h('h1', {}, 'Review'), notice('error', err.status === 404 ? 'There is no such review.' : 'Could not load the review.', err.message));
    return {};
  }
  const pending = review.status === 'PENDING';
  const fields = review.fields ?? {};
  const confidence = review.confidence ?? {};
  const fileName = review.sourceKey?.split('/').pop() ?? review.reviewId;
  document.title = `Review ${fileName} · reagent-intake`;

  // --- the photo, zoomable, with OCR boxes over it -------------------------------------------------
  let zoomIndex = 0;
  let lastField;
  const W = review.imageWidth || 1000;
  const H = review.imageHeight || 1000;
  const overlay = s(
    'svg',
    { class: 'ocr-overlay', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', 'aria-hidden': 'true' },
    (review.ocrLines ?? []).map((line) =>
      s(
        'rect',
        {
          class: `ocr-box ${line.confidence < 60 ? 'ocr-weak' : ''}`,
          x: line.box.left,
          y: line.box.top,
          width: line.box.width,
          height: line.box.height,
          'data-text': line.text,
          onClick: () => useOcrText(line.text),
        },
        s('title', {}, `${line.text} (${Math.round(line.confidence)}%) — click to put into the selected field`),
      ),
    ),
  );
  const img = h('img', { class: 'review-photo', src: api.imageUrl(review.imageKey), alt: `Label photo ${fileName}`, width: W, height: H });
  const canvas = h('div', { class: 'canvas' }, img, overlay);
  const viewer = h('div', { class: 'viewer', tabindex: '0', 'aria-label': 'Photo viewer; scroll to pan when zoomed' }, canvas);
  const zoomLabel = h('output', { class: 'zoom-label', 'aria-live': 'polite' }, '100%');
  const boxesToggle = h('input', { type: 'checkbox', id: 'show-boxes', checked: true });
  boxesToggle.addEventListener('change', () => overlay.classList.toggle('hidden', !boxesToggle.checked));
  const setZoom = (i) => {
    zoomIndex = Math.max(0, Math.min(ZOOMS.length - 1, i));
    canvas.style.width = `${ZOOMS[zoomIndex] * 100}%`;
    zoomLabel.textContent = `${ZOOMS[zoomIndex] * 100}%`;
  };
  viewer.addEventListener(
    'wheel',
    (e) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      setZoom(zoomIndex + (e.deltaY < 0 ? 1 : -1));
    },
    { passive: false },
  );
  img.addEventListener('dblclick', () => setZoom(zoomIndex === ZOOMS.length - 1 ? 0 : zoomIndex + 1));

  function useOcrText(text) {
    if (!pending) return;
    const target = lastField ?? form.querySelector('input[data-field]');
    if (!target) return;
    target.value = text;
    target.dispatchEvent(new Event('input', { bubbles: true }));
    target.focus();
    announce(`Put “${text}” into ${target.dataset.label}.`);
  }

  // --- the fields --------------------------------------------------------------------------------
  const inputs = {};
  const fieldRows = FIELD_NAMES.map((name) => {
    const c = confidence[name];
    const value = fields[name];
    const tone = value === undefined ? 'none' : confidenceTone(c?.score);
    const id = `f-${name}`;
    let control;
    if (name === 'quantity') {
      const amount = h('input', { id, type: 'number', min: '0', step: 'any', inputmode: 'decimal', value: value?.value ?? '', 'data-field': name, 'data-label': FIELD_LABELS[name], disabled: !pending });
      const unit = h('select', { id: `${id}-unit`, 'aria-label': 'Quantity unit', disabled: !pending }, QUANTITY_UNITS.map((u) => h('option', { value: u, selected: (value?.unit ?? 'mL') === u }, u)));
      inputs[name] = { amount, unit };
      control = h('div', { class: 'quantity' }, amount, unit);
    } else {
      const input = h('input', {
        id,
        type: 'text',
        value: value === undefined ? '' : String(value),
        placeholder: value === undefined ? 'not found on the label' : '',
        inputmode: name === 'molecularWeight' ? 'decimal' : undefined,
        'data-field': name,
        'data-label': FIELD_LABELS[name],
        disabled: !pending,
        autocomplete: 'off',
        spellcheck: 'false',
        lang: name === 'productNameKo' ? 'ko' : undefined,
      });
      inputs[name] = { input };
      control = input;
    }
    const reasonsId = `${id}-reasons`;
    (inputs[name].input ?? inputs[name].amount).setAttribute('aria-describedby', reasonsId);
    return h(
      'div',
      { class: `review-field tone-${tone}`, 'data-field-row': name },
      h('div', { class: 'review-field-head' }, h('label', { for: id }, FIELD_LABELS[name]), value === undefined ? h('span', { class: 'conf conf-none' }, 'not found') : confidenceBadge(c?.score, FIELD_LABELS[name])),
      control,
      h('ul', { class: 'field-reasons', id: reasonsId }, (c?.reasons ?? []).map((r) => h('li', {}, r))),
    );
  });

  const reviewerInput = h('input', { id: 'reviewer', type: 'text', value: localStorage.getItem(REVIEWER_KEY) ?? '', placeholder: 'your name', autocomplete: 'name', disabled: !pending });
  const formError = h('div', { class: 'form-error', 'aria-live': 'assertive' });
  const approveBtn = h('button', { type: 'submit', class: 'btn btn-primary', id: 'approve', 'aria-keyshortcuts': 'Control+Enter A', disabled: !pending }, 'Approve');
  const rejectBtn = h('button', { type: 'button', class: 'btn btn-danger', id: 'reject', 'aria-keyshortcuts': 'R', disabled: !pending, onClick: () => reject() }, 'Reject…');
  const progress = h('div', { class: 'progress', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'review-form', novalidate: true, 'aria-labelledby': 'fields-title', onSubmit: (e) => (e.preventDefault(), approve()) },
    h('div', { class: 'card-head' }, h('h2', { id: 'fields-title' }, 'Extracted fields'), h('span', {}, 'overall ', confidenceBadge(review.overallConfidence, 'Overall confidence'))),
    h('p', { class: 'hint' }, 'Correct anything that is wrong; clear a field that is not on the label. Click a box on the photo to copy its text into the selected field.'),
    h('div', { class: 'review-fields' }, fieldRows),
    h('div', { class: 'field reviewer-field' }, h('label', { for: 'reviewer' }, 'Reviewer'), reviewerInput),
    formError,
    h('div', { class: 'form-actions' }, approveBtn, rejectBtn),
    progress,
  );
  form.addEventListener('focusin', (e) => {
    if (e.target.dataset?.field) lastField = e.target;
  });
  form.addEventListener('input', (e) => {
    const row = e.target.closest('[data-field-row]');
    if (row) row.classList.toggle('edited', JSON.stringify(valueOf(row.dataset.fieldRow)) !== JSON.stringify(fields[row.dataset.fieldRow] ?? null));
  });

  function valueOf(name) {
    if (name === 'quantity') {
      const raw = inputs.quantity.amount.value.trim();
      return raw === '' ? null : { value: Number(raw), unit: inputs.quantity.unit.value };
    }
    const raw = inputs[name].input.value.trim();
    if (raw === '') return null;
    if (name === 'molecularWeight') return Number(raw);
    return raw;
  }

  /** Only what the reviewer changed: a new value, or null to remove a field. */
  function corrections() {
    const out = {};
    const problems = [];
    for (const name of FIELD_NAMES) {
      const v = valueOf(name);
      if (name === 'molecularWeight' && v !== null && !(v > 0)) problems.push('Molecular weight must be a positive number.');
      if (name === 'quantity' && v !== null && !(v.value > 0)) problems.push('Quantity must be a positive number.');
      const before = fields[name] ?? null;
      if (JSON.stringify(v) !== JSON.stringify(before)) out[name] = v;
    }
    return { out, problems };
  }

  function reviewer() {
    const name = reviewerInput.value.trim();
    if (name) localStorage.setItem(REVIEWER_KEY, name);
    return name || 'local-reviewer';
  }

  let busy = false;
  async function approve() {
    if (!pending || busy) return;
    const { out, problems } = corrections();
    if (problems.length) {
      clear(formError, notice('error', 'Please fix these first.', h('ul', {}, problems.map((p) => h('li', {}, p)))));
      return;
    }
    busy = true;
    approveBtn.disabled = rejectBtn.disabled = true;
    clear(formError);
    try {
      await api.approve(review.reviewId, out, reviewer());
    } catch (err) {
      busy = false;
      approveBtn.disabled = rejectBtn.disabled = false;
      clear(formError, notice('error', 'The approval was not accepted.', err.message));
      return;
    }
    const n = Object.keys(out).length;
    decided(`Approved${n ? ` with ${n} correction${n === 1 ? '' : 's'}` : ''}.`);
  }

  async function reject() {
    if (!pending || busy) return;
    const reason = await confirmDialog({
      title: 'Reject this photo?',
      message: 'The run ends as REJECTED with your reason; nothing is saved.',
      confirmLabel: 'Reject',
      danger: true,
      input: { label: 'Reason', multiline: true, required: true, requiredMessage: 'Say why, so the uploader knows what to fix.', placeholder: 'e.g. not a reagent label; label unreadable' },
    });
    if (reason === null) return;
    busy = true;
    approveBtn.disabled = rejectBtn.disabled = true;
    try {
      await api.reject(review.reviewId, reason, reviewer());
    } catch (err) {
      busy = false;
      approveBtn.disabled = rejectBtn.disabled = false;
      clear(formError, notice('error', 'The rejection was not accepted.', err.message));
      return;
    }
    decided('Rejected.');
  }

  let disposed = false;
  async function decided(what) {
    for (const el of form.querySelectorAll('input, select')) el.disabled = true;
    reviewsChanged();
    const line = h('p', {}, `${what} The execution resumes…`);
    clear(progress, notice('info', what, line));
    announce(`${what} The execution resumes.`);
    const deadline = Date.now() + 60_000;
    let outcome;
    while (!disposed && Date.now() < deadline) {
      try {
        outcome = await api.outcome(review.executionArn);
        if (FINAL.includes(outcome.status) && outcome.executionStatus !== 'RUNNING') break;
        line.textContent = `${what} The execution resumes… (${statusLabel(outcome.status)})`;
      } catch {
        // keep polling: the server may be busy
      }
      await new Promise((ok) => setTimeout(ok, 300));
    }
    if (disposed) return;
    const runLink = h('a', { href: `#/runs/${encodeURIComponent(review.executionArn)}` }, 'Open the run');
    const next = h('button', { type: 'button', class: 'btn', onClick: nextReview, 'aria-keyshortcuts': 'N' }, 'Next item');
    if (outcome && FINAL.includes(outcome.status)) {
      clear(
        progress,
        notice(outcome.status === 'SAVED' ? 'success' : 'warning', `Run finished: ${statusLabel(outcome.status)}`, h('span', { class: 'final-status', 'data-status': outcome.status }, outcome.status), outcome.recordId ? ` · record ${outcome.recordId}` : '', outcome.reason ? ` · ${outcome.reason}` : '', ' · ', runLink),
        next,
      );
      announce(`Run finished: ${statusLabel(outcome.status)}.`);
      next.focus();
    } else {
      clear(progress, notice('warning', 'The run has not finished yet.', 'It keeps going in the background. ', runLink), next);
    }
  }

  async function nextReview() {
    try {
      const { reviews } = await api.reviews('PENDING');
      const next = reviews.filter((r) => r.reviewId !== review.reviewId).sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
      location.hash = next ? `#/reviews/${encodeURIComponent(next.reviewId)}` : '#/reviews';
    } catch {
      location.hash = '#/reviews';
    }
  }

  // --- page ----------------------------------------------------------------------------------------
  const shortcuts = h(
    'section',
    { class: 'card shortcuts', 'aria-labelledby': 'kbd-h' },
    h('h2', { id: 'kbd-h' }, 'Keyboard shortcuts'),
    h(
      'dl',
      {},
      [
        [['Ctrl', 'Enter'], 'Approve (also from inside a field; ⌘ on a Mac)'],
        [['A'], 'Approve'],
        [['R'], 'Reject (asks for a reason)'],
        [['N'], 'Next item in the queue'],
        [['+'], 'Zoom in'],
        [['−'], 'Zoom out'],
        [['0'], 'Fit the photo'],
        [['O'], 'Show or hide the OCR boxes'],
      ].map(([keys, what]) => h('div', {}, h('dt', {}, keys.map((k, i) => [i ? '+' : '', h('kbd', {}, k)])), h('dd', {}, what))),
    ),
    h('p', { class: 'hint' }, 'Single-key shortcuts work when the cursor is not in a field.'),
  );

  const decidedNotice = pending
    ? null
    : notice(
        review.status === 'APPROVED' ? 'success' : 'warning',
        `This review is ${statusLabel(review.status).toLowerCase()}${review.reviewer ? ` by ${review.reviewer}` : ''}.`,
        review.decidedAt ? ['Decided ', timeEl(review.decidedAt), '. '] : '',
        review.rejectReason ? ['Reason: ', h('q', {}, review.rejectReason), '. '] : '',
        review.corrections && Object.keys(review.corrections).length ? `Corrected: ${Object.entries(review.corrections).map(([k, v]) => `${FIELD_LABELS[k] ?? k} → ${fieldValue(v) || '(removed)'}`).join('; ')}. ` : '',
        h('a', { href: `#/runs/${encodeURIComponent(review.executionArn)}` }, 'Open the run'),
      );

  clear(
    root,
    h('p', { class: 'crumbs' }, h('a', { href: '#/reviews' }, '← Review queue')),
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Review ', h('span', { class: 'mono h-sub' }, fileName), ' ', statusBadge(review.status)),
        h('p', { class: 'lede' }, 'Waiting since ', timeEl(review.createdAt), ' · ', h('a', { href: `#/runs/${encodeURIComponent(review.executionArn)}` }, 'run details')),
      ),
    ),
    decidedNotice,
    h('section', { class: 'notice notice-warning why', 'aria-labelledby': 'why-h' }, h('strong', { id: 'why-h' }, 'Why it needs a person'), h('ul', {}, (review.reasons?.length ? review.reasons : [review.reason]).map((r) => h('li', {}, r)))),
    h(
      'div',
      { class: 'review-grid' },
      h(
        'section',
        { class: 'card photo-card', 'aria-labelledby': 'photo-h' },
        h(
          'div',
          { class: 'card-head' },
          h('h2', { id: 'photo-h' }, 'Photo'),
          h(
            'div',
            { class: 'zoom-tools', role: 'group', 'aria-label': 'Zoom' },
            h('button', { type: 'button', class: 'btn btn-small', onClick: () => setZoom(zoomIndex - 1), 'aria-label': 'Zoom out', 'aria-keyshortcuts': '-' }, '−'),
            zoomLabel,
            h('button', { type: 'button', class: 'btn btn-small', onClick: () => setZoom(zoomIndex + 1), 'aria-label': 'Zoom in', 'aria-keyshortcuts': '+' }, '+'),
            h('button', { type: 'button', class: 'btn btn-small', onClick: () => setZoom(0), 'aria-keyshortcuts': '0' }, 'Fit'),
            h('label', { class: 'check', for: 'show-boxes' }, boxesToggle, ` OCR boxes (${review.ocrLines?.length ?? 0})`),
          ),
        ),
        viewer,
        review.ocrLines?.length ? null : h('p', { class: 'hint' }, 'No OCR text was found on this photo.'),
      ),
      h('section', { class: 'card form-card' }, form),
    ),
    shortcuts,
  );

  function onKey(e) {
    if (document.querySelector('dialog[open]') || e.target.closest?.('dialog')) return;
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      approve();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
    const k = e.key.toLowerCase();
    const act = { a: approve, r: reject, n: nextReview, '+': () => setZoom(zoomIndex + 1), '=': () => setZoom(zoomIndex + 1), '-': () => setZoom(zoomIndex - 1), 0: () => setZoom(0), o: () => boxesToggle.click() }[k];
    if (act) {
      e.preventDefault();
      act();
    }
  }
  document.addEventListener('keydown', onKey);
  if (pending) (form.querySelector('.tone-low input, .tone-medium input') ?? form.querySelector('input[data-field]'))?.focus({ preventScroll: true });
  return {
    dispose: () => {
      disposed = true;
      document.removeEventListener('keydown', onKey);
    },
  };
}
