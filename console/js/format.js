import { h } from './dom.js';

/** Photo outcomes (intake statuses) and raw execution statuses, in the order the runs page lists them. */
export const STATUS_ORDER = ['RUNNING', 'IN_REVIEW', 'SAVED', 'REJECTED', 'REVIEW_EXPIRED', 'FAILED', 'DUPLICATE', 'SUCCEEDED', 'ABORTED', 'TIMED_OUT', 'PENDING_REDRIVE'];

const STATUS_LABEL = {
  RUNNING: 'Running',
  IN_REVIEW: 'In review',
  SAVED: 'Saved',
  REJECTED: 'Rejected',
  REVIEW_EXPIRED: 'Review expired',
  FAILED: 'Failed',
  DUPLICATE: 'Duplicate',
  SUCCEEDED: 'Succeeded',
  ABORTED: 'Stopped',
  TIMED_OUT: 'Timed out',
  PENDING_REDRIVE: 'Redriving',
  PENDING: 'Pending',
  APPROVED: 'Approved',
  EXPIRED: 'Expired',
};

const STATUS_TONE = {
  RUNNING: 'info',
  PENDING_REDRIVE: 'info',
  IN_REVIEW: 'warn',
  PENDING: 'warn',
  SAVED: 'ok',
  APPROVED: 'ok',
  SUCCEEDED: 'ok',
  DUPLICATE: 'muted',
  REJECTED: 'bad',
  FAILED: 'bad',
  TIMED_OUT: 'bad',
  REVIEW_EXPIRED: 'muted',
  EXPIRED: 'muted',
  ABORTED: 'muted',
};

export const statusLabel = (status) => STATUS_LABEL[status] ?? String(status ?? 'Unknown');

export function statusBadge(status) {
  return h('span', { class: `badge badge-${STATUS_TONE[status] ?? 'muted'}`, 'data-status': status }, statusLabel(status));
}

export function duration(ms) {
  if (ms === undefined || ms === null || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
  const hours = Math.floor(m / 60);
  return hours < 48 ? `${hours} h ${m % 60} min` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function dateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return d.toLocaleString(undefined, { year: sameYear ? undefined : 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** Time of day with milliseconds: for steps within one run, whose date is in the page header. */
export function clockTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.toLocaleTimeString(undefined, { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function timeEl(iso) {
  return h('time', { datetime: iso ?? '', title: iso ?? '' }, dateTime(iso));
}

export function ago(iso) {
  if (!iso) return '';
  const ms = Date.now() - new Date(iso).getTime();
  if (ms < 45_000) return 'just now';
  return `${duration(ms).replace(/ \d+ s$/, '')} ago`;
}

/** Confidence tone: the same thresholds everywhere, so a colour means one thing. */
export function confidenceTone(score) {
  if (score === undefined || score === null) return 'none';
  if (score >= 0.9) return 'high';
  if (score >= 0.6) return 'medium';
  return 'low';
}

export function confidenceBadge(score, label) {
  const tone = confidenceTone(score);
  const text = score === undefined || score === null ? '—' : `${Math.round(score * 100)}%`;
  return h('span', { class: `conf conf-${tone}`, title: label ? `${label}: ${text}` : undefined }, h('span', { class: 'sr-only' }, `${tone} confidence `), text);
}

export function fieldValue(value) {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value === 'object' && 'value' in value && 'unit' in value) return `${value.value} ${value.unit}`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export const FIELD_LABELS = {
  manufacturer: 'Manufacturer',
  productName: 'Product name',
  productNameKo: 'Product name (Korean)',
  casNumber: 'CAS number',
  catalogNumber: 'Catalog number',
  lotNumber: 'Lot number',
  grade: 'Grade',
  purity: 'Purity',
  quantity: 'Quantity',
  formula: 'Formula',
  molecularWeight: 'Molecular weight',
  expiryDate: 'Expiry date',
};
export const FIELD_NAMES = Object.keys(FIELD_LABELS);
export const QUANTITY_UNITS = ['mL', 'L', 'g', 'kg', 'mg'];

export function json(value) {
  if (value === undefined) return '(none)';
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

export function shortArn(arn) {
  return String(arn ?? '').split(':').pop();
}
