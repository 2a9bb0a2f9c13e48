import { API_BASE, CSRF_HEADER } from './config.js';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

async function request(method, path, { body, headers = {}, signal } = {}) {
  const init = { method, headers: { accept: 'application/json', ...headers }, credentials: 'same-origin', signal };
  if (method !== 'GET' && method !== 'HEAD') init.headers[CSRF_HEADER] = '1';
  if (body instanceof Blob || body instanceof ArrayBuffer) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(API_BASE + path, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NetworkError', 'Cannot reach the intake server. Is it still running (npm start)?');
  }
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { message: text };
  }
  if (!res.ok) throw new ApiError(res.status, data?.error ?? 'Error', data?.message || `${res.status} ${res.statusText}`);
  return data;
}

const arnPath = (arn) => `/api/runs/${encodeURIComponent(arn)}`;

export const api = {
  health: () => request('GET', '/api/health'),
  stateMachine: () => request('GET', '/api/statemachine'),
  runs: ({ status, q } = {}) => {
    const p = new URLSearchParams();
    if (status) p.set('status', status);
    if (q) p.set('q', q);
    return request('GET', `/api/runs${p.size ? `?${p}` : ''}`);
  },
  run: (arn) => request('GET', arnPath(arn)),
  outcome: (arn, waitSeconds = 0) => request('GET', `${arnPath(arn)}/outcome${waitSeconds ? `?wait=${waitSeconds}` : ''}`),
  stop: (arn, cause) => request('POST', `${arnPath(arn)}/stop`, { body: { cause } }),
  redrive: (arn) => request('POST', `${arnPath(arn)}/redrive`, { body: {} }),
  upload: (file) =>
    request('POST', '/api/uploads', { body: file, headers: { 'x-file-name': encodeURIComponent(file.name), 'content-type': file.type || 'application/octet-stream' } }),
  reviews: (status) => request('GET', `/api/reviews${status ? `?status=${encodeURIComponent(status)}` : ''}`),
  review: (id) => request('GET', `/api/reviews/${encodeURIComponent(id)}`),
  approve: (id, corrections, reviewer) => request('POST', `/api/reviews/${encodeURIComponent(id)}/approve`, { body: { corrections, reviewer } }),
  reject: (id, reason, reviewer) => request('POST', `/api/reviews/${encodeURIComponent(id)}/reject`, { body: { reason, reviewer } }),
  records: () => request('GET', '/api/records'),
  recordsCsvUrl: () => `${API_BASE}/api/records.csv`,
  catalog: () => request('GET', '/api/catalog'),
  imageUrl: (key, width) => `${API_BASE}/api/images/${String(key).split('/').map(encodeURIComponent).join('/')}${width ? `?w=${width}` : ''}`,
  events: () => new EventSource(`${API_BASE}/api/events`, { withCredentials: !!API_BASE }),
};
