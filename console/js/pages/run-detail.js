import { api } from '../api.js';
import { announce, clear, confirmDialog, emptyState, h, loading, notice } from '../dom.js';
import { clockTime, confidenceBadge, duration, FIELD_LABELS, FIELD_NAMES, fieldValue, json, statusBadge, statusLabel, timeEl } from '../format.js';
import { renderGraph } from '../graph.js';
import { debounce, reviewsChanged } from '../nav.js';

const REDRIVABLE = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/** Run detail: graph with the path taken, per-state input/output, event history, error, stop/redrive. */
export async function render(root, [arn]) {
  document.title = 'Run · reagent-intake';
  let detail;
  let selected;
  const expanded = new Set();
  let graph;

  const head = h('div', { class: 'page-head' });
  const banner = h('div', { class: 'banners' });
  const graphBox = h('div', { class: 'graph-box' }, loading('Laying out the state machine…'));
  const side = h('div', { class: 'run-side' });
  const statesBox = h('div', { class: 'table-wrap' });
  const eventType = h('select', { id: 'event-type' }, h('option', { value: '' }, 'All event types'));
  const eventText = h('input', { type: 'search', id: 'event-text', placeholder: 'State name, error, text…', autocomplete: 'off' });
  const eventsBox = h('div', { class: 'table-wrap' });
  const eventsCount = h('span', { class: 'muted' });

  root.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/runs' }, '← All runs')),
    head,
    banner,
    h(
      'div',
      { class: 'detail-grid' },
      h(
        'section',
        { class: 'card graph-card', 'aria-labelledby': 'graph-h' },
        h('div', { class: 'card-head' }, h('h2', { id: 'graph-h' }, 'State machine'), legend()),
        h('p', { class: 'hint' }, 'Drawn from statemachine/intake.asl.json. Select a state to see its input and output.'),
        graphBox,
      ),
      side,
    ),
    h('section', { class: 'card', 'aria-labelledby': 'states-h' }, h('h2', { id: 'states-h' }, 'States visited'), statesBox),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'events-h' },
      h('div', { class: 'card-head' }, h('h2', { id: 'events-h' }, 'Event history ', eventsCount)),
      h(
        'div',
        { class: 'toolbar' },
        h('div', { class: 'field field-inline' }, h('label', { for: 'event-type' }, 'Type'), eventType),
        h('div', { class: 'field field-inline' }, h('label', { for: 'event-text' }, 'Filter'), eventText),
      ),
      eventsBox,
    ),
  );
  eventType.addEventListener('change', drawEvents);
  eventText.addEventListener('input', drawEvents);

  const definitionP = api.stateMachine();

  async function load() {
    try {
      detail = redactTokens(await api.run(arn));
    } catch (err) {
      clear(head, h('h1', {}, 'Run'));
      clear(banner, notice('error', err.status === 404 ? 'There is no such run.' : 'Could not load this run.', err.message));
      return false;
    }
    draw();
    return true;
  }

  function fileNameOf() {
    const key = detail.outcome?.sourceKey ?? detail.execution.input?.detail?.object?.key;
    return key ? key.split('/').pop() : detail.execution.name;
  }

  function draw() {
    const { execution, outcome } = detail;
    document.title = `${fileNameOf()} · Run · reagent-intake`;
    const stop = execution.stopDate ? new Date(execution.stopDate).getTime() : Date.now();
    const took = stop - new Date(execution.startDate).getTime();
    const actions = h('div', { class: 'actions' });
    if (outcome?.status === 'IN_REVIEW' && outcome.reviewId) actions.append(h('a', { class: 'btn btn-primary', href: `#/reviews/${encodeURIComponent(outcome.reviewId)}` }, 'Open review'));
    if (execution.status === 'RUNNING') actions.append(h('button', { type: 'button', class: 'btn btn-danger', id: 'stop-run', onClick: stopRun }, 'Stop run'));
    if (REDRIVABLE.includes(execution.status)) actions.append(h('button', { type: 'button', class: 'btn', id: 'redrive-run', onClick: redriveRun, title: 'Restart from the state that failed, keeping what succeeded' }, 'Redrive'));
    clear(
      head,
      h(
        'div',
        {},
        h('h1', {}, fileNameOf(), ' ', statusBadge(outcome?.status ?? execution.status)),
        h(
          'dl',
          { class: 'meta' },
          h('div', {}, h('dt', {}, 'Execution'), h('dd', { class: 'mono' }, execution.name)),
          h('div', {}, h('dt', {}, 'Execution status'), h('dd', { id: 'execution-status' }, statusLabel(execution.status))),
          h('div', {}, h('dt', {}, 'Started'), h('dd', {}, timeEl(execution.startDate))),
          h('div', {}, h('dt', {}, execution.stopDate ? 'Duration' : 'Running for'), h('dd', {}, duration(took))),
          execution.redriveCount ? h('div', {}, h('dt', {}, 'Redriven'), h('dd', {}, `${execution.redriveCount}×`)) : null,
        ),
      ),
      actions,
    );
    drawBanner();
    drawSide();
    graph?.highlight({ path: detail.path, current: detail.currentState, failed: detail.failedState, selected });
    drawStates();
    drawEvents();
  }

  function drawBanner() {
    const { execution, outcome } = detail;
    const items = [];
    if (execution.status === 'FAILED' || execution.status === 'TIMED_OUT') {
      items.push(notice('error', `Failed${detail.failedState ? ` in ${detail.failedState}` : ''}: ${execution.error ?? 'error'}`, h('pre', { class: 'cause' }, prettyCause(execution.cause))));
    } else if (execution.status === 'ABORTED') {
      items.push(notice('warning', `Stopped: ${execution.error ?? ''}`, execution.cause ?? ''));
    }
    if (outcome?.status === 'REJECTED') items.push(notice('warning', 'Rejected', h('span', { class: 'reason', id: 'outcome-reason' }, outcome.reason ?? 'No reason recorded.')));
    if (outcome?.status === 'REVIEW_EXPIRED') items.push(notice('warning', 'The review expired', outcome.reason ?? ''));
    if (outcome?.status === 'IN_REVIEW') items.push(notice('info', 'Waiting for a reviewer', (outcome.reasons ?? []).length ? h('ul', {}, outcome.reasons.map((r) => h('li', {}, r))) : outcome.reason ?? ''));
    if (outcome?.status === 'SAVED') items.push(notice('success', 'Saved', `Record ${outcome.recordId ?? ''}`, ' · ', h('a', { href: '#/records' }, 'see records')));
    if (outcome?.status === 'DUPLICATE') items.push(notice('info', 'Already recorded', `The same photo was processed before (record ${outcome.duplicateOf ?? 'unknown'}).`));
    // Errors that a Catch handled: the run went on, but the operator should see them.
    for (const v of detail.states) if (v.error && execution.status !== 'FAILED') items.push(notice('warning', `${v.name} raised ${v.error}`, h('pre', { class: 'cause' }, prettyCause(v.cause))));
    clear(banner, items);
  }

  function drawSide() {
    const { outcome } = detail;
    const image = detail.states.find((v) => v.name === 'ValidateImage')?.output?.image;
    const fields = outcome?.fields ?? {};
    const conf = outcome?.confidence ?? {};
    const present = FIELD_NAMES.filter((f) => fields[f] !== undefined);
    clear(
      side,
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'photo-h' },
        h('h2', { id: 'photo-h' }, 'Photo'),
        image?.normalizedKey
          ? h('a', { href: api.imageUrl(image.normalizedKey), target: '_blank', rel: 'noopener', class: 'photo-link' }, h('img', { class: 'photo', src: api.imageUrl(image.normalizedKey, 480), alt: `Photo ${fileNameOf()}` }))
          : h('p', { class: 'muted' }, 'No normalised image (the file was not accepted as a photo).'),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'fields-h' },
        h('h2', { id: 'fields-h' }, 'Fields found ', outcome?.overall !== undefined ? confidenceBadge(outcome.overall, 'Overall') : null),
        present.length
          ? h(
              'table',
              { class: 'table table-compact' },
              h('tbody', {}, present.map((f) => h('tr', {}, h('th', { scope: 'row' }, FIELD_LABELS[f]), h('td', { class: 'field-text' }, fieldValue(fields[f])), h('td', {}, confidenceBadge(conf[f]?.score, FIELD_LABELS[f]))))),
            )
          : h('p', { class: 'muted' }, 'No fields extracted (yet).'),
      ),
    );
  }

  function select(name, { focus = false } = {}) {
    selected = name;
    graph?.highlight({ path: detail.path, current: detail.currentState, failed: detail.failedState, selected });
    const idx = detail.states.map((v) => v.name).lastIndexOf(name);
    if (idx < 0) {
      announce(`${name} was not visited in this run.`);
      drawStates();
      const note = statesBox.querySelector('.not-visited');
      note?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      return;
    }
    expanded.add(idx);
    drawStates();
    const toggle = statesBox.querySelector(`[data-visit="${idx}"] button.io-toggle`);
    toggle?.closest('tr')?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    if (focus) toggle?.focus({ preventScroll: true });
  }

  function drawStates() {
    const visits = detail.states;
    if (!visits.length) {
      clear(statesBox, emptyState('No state entered yet.'));
      return;
    }
    const rows = [];
    visits.forEach((v, i) => {
      const open = expanded.has(i);
      const ioId = `io-${i}`;
      rows.push(
        h(
          'tr',
          { 'data-visit': String(i), 'data-state': v.name, class: [v.name === selected && 'is-selected', `visit-${v.status}`] },
          h('td', { class: 'num muted' }, String(i + 1)),
          h('th', { scope: 'row' }, v.name),
          h('td', {}, v.type),
          h('td', {}, h('span', { class: `visit-status visit-status-${v.status}` }, v.status), v.error ? h('div', { class: 'sub error-name' }, v.error) : null),
          h('td', { class: 'num' }, v.durationMs !== undefined ? duration(v.durationMs) : v.status === 'running' ? 'running…' : '—'),
          h('td', { class: 'num' }, v.retries ? String(v.retries) : h('span', { class: 'muted' }, '0')),
          h('td', { class: 'nowrap' }, h('time', { datetime: v.enteredAt, title: v.enteredAt }, clockTime(v.enteredAt))),
          h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'btn btn-small io-toggle',
                'aria-expanded': String(open),
                'aria-controls': ioId,
                onClick: () => {
                  if (expanded.has(i)) expanded.delete(i);
                  else expanded.add(i);
                  drawStates();
                  statesBox.querySelector(`[data-visit="${i}"] button.io-toggle`)?.focus();
                },
              },
              open ? 'Hide' : 'Input / output',
              h('span', { class: 'sr-only' }, ` of ${v.name}`),
            ),
          ),
        ),
      );
      if (open) {
        rows.push(
          h(
            'tr',
            { class: 'io-row', id: ioId },
            h(
              'td',
              { colspan: '8' },
              h(
                'div',
                { class: 'io' },
                h('div', { class: 'io-pane' }, h('h3', {}, 'Input'), h('pre', { class: 'json', tabindex: '0', 'aria-label': `${v.name} input` }, json(v.input))),
                h(
                  'div',
                  { class: 'io-pane' },
                  h('h3', {}, v.error && v.output === undefined ? 'Error' : 'Output'),
                  v.error && v.output === undefined
                    ? h('pre', { class: 'json json-error', tabindex: '0' }, `${v.error}\n\n${prettyCause(v.cause)}`)
                    : h('pre', { class: 'json', tabindex: '0', 'aria-label': `${v.name} output` }, v.output === undefined ? (v.status === 'running' ? '(still running)' : '(none)') : json(v.output)),
                ),
              ),
            ),
          ),
        );
      }
    });
    const notVisited = selected && !visits.some((v) => v.name === selected) ? h('p', { class: 'not-visited notice notice-info', role: 'status' }, `${selected} was not visited in this run.`) : null;
    clear(
      statesBox,
      notVisited,
      h(
        'table',
        { class: 'table states-table' },
        h('thead', {}, h('tr', {}, ['#', 'State', 'Type', 'Status', 'Duration', 'Retries', 'Entered', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, 'Details'))))),
        h('tbody', {}, rows),
      ),
    );
  }

  function eventRows() {
    const start = new Date(detail.execution.startDate).getTime();
    let state;
    return detail.events.map((e) => {
      const entered = e.stateEnteredEventDetails?.name;
      if (entered) state = entered;
      const detailsKey = Object.keys(e).find((k) => k.endsWith('EventDetails'));
      const d = detailsKey ? e[detailsKey] : undefined;
      const summary = d?.error ? `${d.error}${d.cause ? `: ${String(d.cause).slice(0, 140)}` : ''}` : d?.resource ? `${d.resourceType ?? ''} ${d.resource}`.trim() : '';
      return { e, state: e.stateExitedEventDetails?.name ?? entered ?? state, summary, d, elapsed: new Date(e.timestamp).getTime() - start };
    });
  }

  function drawEvents() {
    const rows = eventRows();
    const types = [...new Set(rows.map((r) => r.e.type))];
    const chosen = eventType.value;
    if (eventType.options.length - 1 !== types.length) {
      clear(eventType, h('option', { value: '' }, 'All event types'), types.map((t) => h('option', { value: t, selected: t === chosen }, `${t} (${rows.filter((r) => r.e.type === t).length})`)));
    }
    const text = eventText.value.trim().toLowerCase();
    const shown = rows.filter((r) => (!eventType.value || r.e.type === eventType.value) && (!text || `${r.e.type} ${r.state ?? ''} ${JSON.stringify(r.d ?? '')}`.toLowerCase().includes(text)));
    eventsCount.textContent = `(${shown.length === rows.length ? rows.length : `${shown.length} of ${rows.length}`})`;
    if (!shown.length) {
      clear(eventsBox, emptyState('No events match the filter.'));
      return;
    }
    clear(
      eventsBox,
      h(
        'table',
        { class: 'table events-table' },
        h('thead', {}, h('tr', {}, ['ID', 'Type', 'Step', 'Elapsed', 'Time', 'Details'].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          {},
          shown.map((r) =>
            h(
              'tr',
              { class: /Failed|TimedOut|Aborted/.test(r.e.type) ? 'event-error' : undefined, 'data-type': r.e.type },
              h('td', { class: 'num muted' }, String(r.e.id)),
              h('td', { class: 'event-type' }, r.e.type),
              h('td', {}, r.state ?? ''),
              h('td', { class: 'num' }, `${r.elapsed} ms`),
              h('td', { class: 'nowrap' }, h('time', { datetime: r.e.timestamp, title: r.e.timestamp }, clockTime(r.e.timestamp))),
              h('td', { class: 'event-details' }, r.d ? h('details', {}, h('summary', {}, r.summary || 'details'), h('pre', { class: 'json' }, json(expandJson(r.d)))) : h('span', { class: 'muted' }, r.summary)),
            ),
          ),
        ),
      ),
    );
  }

  async function stopRun() {
    const cause = await confirmDialog({ title: 'Stop this run?', message: 'The execution is aborted where it stands. A waiting review is abandoned.', confirmLabel: 'Stop run', danger: true, input: { label: 'Cause (recorded in the history)', value: 'Stopped from the local console' } });
    if (cause === null) return;
    try {
      await api.stop(arn, cause);
      announce('The run was stopped.');
      reviewsChanged();
    } catch (err) {
      clear(banner, notice('error', 'Could not stop the run.', err.message), ...banner.childNodes);
      return;
    }
    await load();
  }

  async function redriveRun() {
    const ok = await confirmDialog({ title: 'Redrive this run?', message: 'The execution restarts from the state that failed; the states that succeeded are not run again.', confirmLabel: 'Redrive' });
    if (!ok) return;
    try {
      await api.redrive(arn);
      announce('The run was redriven.');
    } catch (err) {
      banner.prepend(notice('error', 'Could not redrive the run.', err.message));
      return;
    }
    await load();
  }

  if (!(await load())) return {};
  try {
    const { definition } = await definitionP;
    graph = await renderGraph(definition, { onSelect: (name) => select(name, { focus: true }) });
    clear(graphBox, graph.svg);
    graph.highlight({ path: detail.path, current: detail.currentState, failed: detail.failedState, selected });
  } catch (err) {
    clear(graphBox, notice('error', 'The state machine graph could not be drawn.', err.message));
  }

  const refresh = debounce(load, 200);
  return {
    onEvent: (e) => {
      if (!e.executionArn || e.executionArn === arn) refresh();
    },
    dispose: () => refresh.cancel(),
  };
}

function legend() {
  const item = (cls, text) => h('li', {}, h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' }), text);
  return h('ul', { class: 'legend', 'aria-label': 'Legend' }, item('sw-visited', 'path taken'), item('sw-current', 'current'), item('sw-failed', 'failed'), item('sw-idle', 'not visited'), item('sw-catch', 'on error'));
}

function prettyCause(cause) {
  if (cause === undefined || cause === null) return '';
  try {
    const parsed = JSON.parse(cause);
    return typeof parsed === 'object' ? JSON.stringify(parsed, null, 2) : String(parsed);
  } catch {
    return String(cause);
  }
}

/** History event details carry input/output as JSON strings; show them as objects. */
function expandJson(d) {
  const out = { ...d };
  for (const k of ['input', 'output', 'parameters', 'cause']) {
    if (typeof out[k] === 'string') {
      try {
        out[k] = JSON.parse(out[k]);
      } catch {
        // keep the text
      }
    }
  }
  return out;
}

const TOKEN_KEY = /^task_?token$/i;

/**
 * Task tokens must never reach a page: a token is what approves a review. The HumanReview state passes one
 * to its Lambda, so history events carry it (inside JSON strings); replace every one before rendering.
 */
export function redactTokens(value) {
  if (Array.isArray(value)) return value.map(redactTokens);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = TOKEN_KEY.test(k) ? '(task token hidden)' : redactTokens(v);
    return out;
  }
  if (typeof value === 'string' && /task_?token/i.test(value) && /^\s*[[{]/.test(value)) {
    try {
      return JSON.stringify(redactTokens(JSON.parse(value)));
    } catch {
      return value.replace(/("task_?token"\s*:\s*")[^"]*"/gi, '$1(task token hidden)"');
    }
  }
  return value;
}
