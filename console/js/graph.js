import { API_BASE } from './config.js';
import { h, s } from './dom.js';

/** elkjs's browser bundle, loaded once on demand (it is 1.6 MB; the list pages do not need it). */
let elkLoading;
function loadElk() {
  if (window.ELK) return Promise.resolve(window.ELK);
  elkLoading ??= new Promise((resolve, reject) => {
    const script = h('script', { src: `${API_BASE}/vendor/elk.js`, async: true });
    script.addEventListener('load', () => (window.ELK ? resolve(window.ELK) : reject(new Error('The graph layout library did not load.'))));
    script.addEventListener('error', () => {
      elkLoading = undefined;
      reject(new Error('The graph layout library (/vendor/elk.js) could not be loaded.'));
    });
    document.head.append(script);
  });
  return elkLoading;
}

/** Nodes and transitions of an ASL definition (top level; a Map or Parallel state is one node). */
export function aslGraph(definition) {
  const states = definition?.States ?? {};
  const nodes = [{ id: '__start', label: 'Start', type: 'Start' }];
  const edges = [];
  const add = (from, to, kind, label) => {
    if (to && states[to]) edges.push({ id: `e${edges.length}`, from, to, kind, label });
  };
  add('__start', definition?.StartAt, 'next');
  for (const [name, st] of Object.entries(states)) {
    nodes.push({ id: name, label: name, type: st.Type, end: st.End === true || st.Type === 'Succeed' || st.Type === 'Fail' });
    add(name, st.Next, 'next');
    add(name, st.Default, 'default', 'default');
    for (const c of st.Choices ?? []) add(name, c.Next, 'choice');
    for (const c of st.Catch ?? []) add(name, c.Next, 'catch', (c.ErrorEquals ?? []).join(', '));
  }
  return { nodes, edges };
}

const NODE_H = 30;
const nodeWidth = (n) => (n.type === 'Start' ? 64 : Math.max(96, Math.round(n.label.length * 7.4 + 28)));

/**
 * Lays the state machine out with ELK (layered, top-down) and draws it as SVG. Returns the SVG and
 * `highlight({ path, current, failed })`, which marks visited states, transitions taken, and the
 * current or failed state without laying the graph out again.
 */
export async function renderGraph(definition, { onSelect } = {}) {
  const ELK = await loadElk();
  const elk = new ELK();
  const graph = aslGraph(definition);
  // Duplicate transitions (a Catch and a Next to the same state) are drawn once.
  const seen = new Set();
  const edges = graph.edges.filter((e) => {
    const key = `${e.from}->${e.to}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const layout = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '28',
      'elk.spacing.nodeNode': '22',
      'elk.spacing.edgeNode': '14',
      'elk.spacing.edgeEdge': '8',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children: graph.nodes.map((n) => ({ id: n.id, width: nodeWidth(n), height: NODE_H })),
    edges: edges.map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  });

  const W = Math.ceil(layout.width);
  const H = Math.ceil(layout.height);
  const svg = s('svg', { class: 'graph', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'group', 'aria-label': 'State machine graph' });
  svg.append(
    s(
      'defs',
      {},
      s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerUnits: 'userSpaceOnUse', markerWidth: 9, markerHeight: 9, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' })),
      s('marker', { id: 'arrow-taken', viewBox: '0 0 10 10', refX: 9, refY: 5, markerUnits: 'userSpaceOnUse', markerWidth: 9, markerHeight: 9, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-taken' })),
    ),
  );
  const edgeLayer = s('g', { class: 'edges' });
  const nodeLayer = s('g', { class: 'nodes' });
  svg.append(edgeLayer, nodeLayer);

  const edgeEls = new Map();
  for (const le of layout.edges ?? []) {
    const e = edges.find((x) => x.id === le.id);
    for (const sec of le.sections ?? []) {
      const pts = [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint];
      const d = pts.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
      const title = e.kind === 'catch' ? `${e.from} → ${e.to} on error (${e.label})` : `${e.from} → ${e.to}${e.label ? ` (${e.label})` : ''}`;
      const path = s('path', { d, class: `edge edge-${e.kind}`, 'marker-end': 'url(#arrow)', 'data-from': e.from, 'data-to': e.to }, s('title', {}, title));
      edgeLayer.append(path);
      edgeEls.set(`${e.from}->${e.to}`, path);
    }
  }

  const nodeEls = new Map();
  for (const ln of layout.children ?? []) {
    const n = graph.nodes.find((x) => x.id === ln.id);
    const isStart = n.type === 'Start';
    const g = s('g', {
      class: `node node-${n.type.toLowerCase()}`,
      transform: `translate(${ln.x},${ln.y})`,
      'data-state': n.id,
      ...(isStart ? { 'aria-hidden': 'true' } : { tabindex: '0', role: 'button', 'aria-label': `${n.label} (${n.type})` }),
    });
    const rx = isStart ? NODE_H / 2 : n.type === 'Choice' ? 4 : 8;
    g.append(
      s('rect', { width: ln.width, height: ln.height, rx, ry: rx, class: 'node-box' }),
      s('text', { x: ln.width / 2, y: ln.height / 2, class: 'node-label', 'dominant-baseline': 'central', 'text-anchor': 'middle' }, n.label),
      s('title', {}, `${n.label} — ${n.type}${n.end ? ' (end)' : ''}`),
    );
    if (!isStart && onSelect) {
      g.addEventListener('click', () => onSelect(n.id));
      g.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          onSelect(n.id);
        }
      });
    }
    nodeLayer.append(g);
    nodeEls.set(n.id, g);
  }

  function highlight({ path = [], current, failed, selected } = {}) {
    const visited = new Set(path);
    for (const [id, g] of nodeEls) {
      const state = id === failed ? 'failed' : id === current ? 'current' : visited.has(id) || (id === '__start' && path.length) ? 'visited' : 'idle';
      g.dataset.run = state;
      g.classList.toggle('selected', id === selected);
      if (id !== '__start') g.setAttribute('aria-label', `${id} (${graph.nodes.find((x) => x.id === id).type}) — ${{ failed: 'failed here', current: 'current state', visited: 'visited', idle: 'not visited' }[state]}`);
    }
    const taken = new Set();
    const full = path.length ? ['__start', ...path] : [];
    for (let i = 1; i < full.length; i++) taken.add(`${full[i - 1]}->${full[i]}`);
    for (const [key, el] of edgeEls) {
      const on = taken.has(key);
      el.classList.toggle('taken', on);
      el.setAttribute('marker-end', on ? 'url(#arrow-taken)' : 'url(#arrow)');
      if (on) el.parentNode.append(el); // draw taken transitions on top
    }
  }

  return { svg, highlight, width: W, height: H };
}
