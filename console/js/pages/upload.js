import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { statusBadge, statusLabel } from '../format.js';

const WAITING = ['RUNNING'];
/** Uploads survive navigation within the console: the list is kept for the session. */
const session = [];

/** Upload: drop one or many photos; each goes to incoming/ and its object-created event starts a run. */
export async function render(root) {
  document.title = 'Upload · reagent-intake';
  const input = h('input', { type: 'file', id: 'file-input', class: 'visually-hidden-input', multiple: true, accept: 'image/jpeg,image/png,image/webp,image/*' });
  const zone = h(
    'div',
    { class: 'dropzone', id: 'dropzone' },
    input,
    h('p', { class: 'dropzone-title' }, 'Drop photos of reagent labels here'),
    h('p', {}, 'or ', h('label', { for: 'file-input', class: 'btn btn-primary' }, 'Choose files…')),
    h('p', { class: 'hint' }, 'JPEG, PNG or WebP. Several at once is fine: each photo becomes its own execution.'),
  );
  const list = h('ul', { class: 'upload-list', 'aria-live': 'polite', 'aria-label': 'Uploads' });
  let disposed = false;

  root.append(
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Upload'), h('p', { class: 'lede' }, 'Each photo is written to ', h('code', {}, 'incoming/'), ' in the intake bucket; the object-created event starts one execution, exactly as in AWS.'))),
    zone,
    h('h2', { class: 'section-title' }, 'This session'),
    list,
  );

  input.addEventListener('change', () => {
    addFiles([...input.files]);
    input.value = '';
  });
  for (const ev of ['dragenter', 'dragover']) {
    zone.addEventListener(ev, (e) => {
      e.preventDefault();
      zone.classList.add('dragging');
    });
  }
  for (const ev of ['dragleave', 'drop']) zone.addEventListener(ev, () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    addFiles([...(e.dataTransfer?.files ?? [])]);
  });

  function draw() {
    if (disposed) return;
    list.replaceChildren(...(session.length ? session.map(row) : [h('li', { class: 'empty-row muted' }, 'Nothing uploaded yet in this session.')]));
  }

  function row(u) {
    return h(
      'li',
      { class: 'upload-item', 'data-file': u.name, 'data-status': u.status ?? u.phase },
      h('span', { class: 'upload-name' }, u.name),
      h('span', { class: 'sub' }, `${(u.size / 1024).toFixed(0)} KB`),
      h('span', { class: 'upload-state' }, u.status ? statusBadge(u.status) : h('span', { class: `phase phase-${u.phase}` }, u.phaseText)),
      u.error ? h('span', { class: 'field-error', role: 'alert' }, u.error) : null,
      u.reason ? h('span', { class: 'sub reason' }, u.reason) : null,
      h(
        'span',
        { class: 'upload-links' },
        u.executionArn ? h('a', { href: `#/runs/${encodeURIComponent(u.executionArn)}` }, 'View run', h('span', { class: 'sr-only' }, ` for ${u.name}`)) : null,
        u.status === 'IN_REVIEW' && u.reviewId ? [' · ', h('a', { href: `#/reviews/${encodeURIComponent(u.reviewId)}` }, 'Review', h('span', { class: 'sr-only' }, ` ${u.name}`))] : null,
      ),
    );
  }

  async function addFiles(files) {
    if (!files.length) return;
    const items = files.map((f) => ({ file: f, name: f.name, size: f.size, phase: 'queued', phaseText: 'Queued' }));
    session.unshift(...items.reverse());
    items.reverse();
    draw();
    announce(`Uploading ${files.length} file${files.length === 1 ? '' : 's'}.`);
    for (const u of items) {
      u.phase = 'uploading';
      u.phaseText = 'Uploading…';
      draw();
      try {
        const out = await api.upload(u.file);
        u.executionArn = out.executionArn;
        u.phase = 'running';
        u.phaseText = 'Started';
        u.status = 'RUNNING';
      } catch (err) {
        u.phase = 'error';
        u.phaseText = 'Upload failed';
        u.error = err.message;
      }
      delete u.file;
      draw();
      if (u.executionArn) follow(u);
    }
  }

  async function follow(u) {
    for (let i = 0; i < 120 && WAITING.includes(u.status); i++) {
      try {
        const o = await api.outcome(u.executionArn, 10);
        u.status = o.status;
        u.reason = o.reason;
        u.reviewId = o.reviewId;
      } catch {
        await new Promise((ok) => setTimeout(ok, 1000));
      }
      draw();
    }
    announce(`${u.name}: ${statusLabel(u.status)}.`);
  }

  draw();
  for (const u of session) if (u.executionArn && WAITING.includes(u.status) && !u.following) {
    u.following = true;
    follow(u);
  }
  return { dispose: () => (disposed = true) };
}
