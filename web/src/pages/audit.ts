/** The audit log (project admins for their project, platform admins for all), newest first. */
import { json, messageOf } from '../api';
import type { AppContext } from '../app';
import { alertBox, fill, fmtNum, fmtTime, h, setAlert } from '../dom';
import { dataTable } from './table';

interface Entry {
  at: string;
  user: string | null;
  client_id: string | null;
  action: string | null;
  method: string | null;
  path: string | null;
  project: string | null;
  cohort: string | null;
  status: number | null;
  bytes: number | null;
}

export function auditPage(main: HTMLElement, ctx: AppContext): void {
  const error = alertBox(null);
  const body = h('div');
  const user = h('input', { id: 'audit-user', 'aria-label': 'User', autocomplete: 'off' });
  const action = h('input', { id: 'audit-action', 'aria-label': 'Action', autocomplete: 'off', placeholder: 'e.g. DEID_OVERRIDE' });
  const form = h('form', { class: 'row filters', 'aria-label': 'Audit filters' },
    h('label', { for: 'audit-user' }, 'User'), user,
    h('label', { for: 'audit-action' }, 'Action'), action,
    h('button', { type: 'submit' }, 'Filter'));
  const scope = ctx.role === 'admin' ? ctx.project : null;
  fill(main, h('h1', null, 'Audit'),
    h('p', { class: 'lead' }, scope ? `Requests touching project ${scope}, newest first.` : 'Every request, newest first.'),
    form, error, body);

  async function load(): Promise<void> {
    const q = new URLSearchParams({ limit: '200' });
    if (scope) {
      q.set('project', scope);
    }
    if (user.value.trim()) {
      q.set('user', user.value.trim());
    }
    if (action.value.trim()) {
      q.set('action', action.value.trim());
    }
    ctx.busy(true);
    try {
      const r = await json<{ entries: Entry[] }>(`/api/v1/audit?${q}`);
      setAlert(error, null);
      fill(body, dataTable<Entry>('Audit log', [
        { title: 'Time', cell: (e) => fmtTime(e.at), class: 'nowrap' },
        { title: 'User', cell: (e) => e.user ?? '—' },
        { title: 'Method', cell: (e) => e.method ?? '—' },
        { title: 'Action', cell: (e) => e.action ?? '—' },
        { title: 'Route', cell: (e) => h('code', { class: 'path' }, e.path ?? '—') },
        { title: 'Project', cell: (e) => e.project ?? '—' },
        { title: 'Status', cell: (e) => (e.status === null ? '—' : String(e.status)), class: 'num' },
        { title: 'Bytes', cell: (e) => fmtNum(e.bytes), class: 'num' },
      ], r.entries, 'No audit entries match.'));
    } catch (e) {
      setAlert(error, messageOf(e));
    } finally {
      ctx.busy(false);
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  void load();
}
