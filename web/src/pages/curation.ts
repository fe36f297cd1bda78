/**
 * Curation queues (editor/admin): de-identification (REVIEW/FAIL), completeness and QA. Items carry no patient data
 * (the server sends none), and the page shows only identifiers, statuses and the redacted findings. Admins can
 * override a failed de-identification check with a reason, or revoke an override.
 */
import { json, messageOf, seg } from '../api';
import { type AppContext, isAdmin } from '../app';
import { alertBox, badge, fill, h, setAlert } from '../dom';
import { dataTable, offsetPager } from './table';

type Queue = 'deid' | 'completeness' | 'qa';

interface Finding {
  rule: string | null;
  tag: string | null;
  keyword: string | null;
  action: string | null;
  detail: string | null;
  instances?: number;
}

interface Item {
  series_instance_uid: string;
  study_instance_uid: string;
  modality: string | null;
  series_type: string | null;
  deid_status: string | null;
  completeness_status: string | null;
  qa_status: string | null;
  released: boolean;
  deid_override: boolean;
  findings: Finding[];
}

const TITLES: Record<Queue, { title: string; table: string; lead: string }> = {
  deid: { title: 'De-identification', table: 'De-identification queue',
    lead: 'Series whose de-identification check asks for review or failed. Findings are redacted: no header value is shown.' },
  completeness: { title: 'Completeness', table: 'Completeness queue',
    lead: 'Series that are incomplete or inconsistent (missing instances, mixed geometry…).' },
  qa: { title: 'QA', table: 'QA queue', lead: 'Series whose image quality checks warn or fail.' },
};

const LIMIT = 50;

export function curationPage(queue: Queue) {
  return (main: HTMLElement, ctx: AppContext): void => {
    const t = TITLES[queue];
    const error = alertBox(null);
    const status = h('p', { role: 'status', class: 'status-line' });
    const body = h('div');
    fill(main, h('h1', null, t.title), h('p', { class: 'lead' }, t.lead), error, status, body);
    const admin = queue === 'deid' && isAdmin(ctx);
    let offset = 0;

    async function load(at: number): Promise<void> {
      offset = at;
      ctx.busy(true);
      try {
        const r = await json<{ total: number; items: Item[] }>(
          `/api/v1/projects/${seg(ctx.project!)}/curation?queue=${queue}&limit=${LIMIT}&offset=${at}`);
        setAlert(error, null);
        const columns = [
          { title: 'Series', cell: (i: Item) => h('code', { class: 'uid' }, i.series_instance_uid) },
          { title: 'Modality', cell: (i: Item) => i.modality ?? '—' },
          { title: 'Series type', cell: (i: Item) => i.series_type ?? '—' },
          { title: 'De-identification', cell: (i: Item) => [badge(i.deid_status), i.deid_override ? h('span', { class: 'tag' }, 'overridden') : null] },
          { title: 'Completeness', cell: (i: Item) => badge(i.completeness_status) },
          { title: 'QA', cell: (i: Item) => badge(i.qa_status) },
          { title: 'Released', cell: (i: Item) => (i.released ? 'yes' : 'no') },
          { title: 'Findings', cell: (i: Item) => findings(i.findings), class: 'findings' },
        ];
        if (admin) {
          columns.push({ title: 'Action', cell: (i: Item) => h('button', { type: 'button',
            'aria-describedby': undefined, onclick: (ev: Event) => openDialog(i, ev.currentTarget as HTMLElement) }, 'Override') });
        }
        fill(body, dataTable<Item>(t.table, columns, r.items, 'Nothing waiting in this queue.'),
          offsetPager(at, LIMIT, r.total, (o) => void load(o)));
      } catch (e) {
        setAlert(error, messageOf(e));
      } finally {
        ctx.busy(false);
      }
    }

    /** Findings folded under a summary ("14 findings: 3 FAIL, 11 REVIEW"); the list opens on demand. */
    function findings(list: Finding[]): HTMLElement | string {
      if (list.length === 0) {
        return '—';
      }
      const byAction = new Map<string, number>();
      for (const f of list) {
        const a = f.action ?? 'other';
        byAction.set(a, (byAction.get(a) ?? 0) + 1);
      }
      const summary = `${list.length} finding${list.length === 1 ? '' : 's'}: `
        + [...byAction].map(([a, n]) => `${n} ${a}`).join(', ');
      return h('details', { class: 'findings' }, h('summary', null, summary),
        h('ul', { class: 'finding-list' }, list.map((f) => h('li', null,
          h('strong', null, f.rule ?? f.keyword ?? 'finding'),
          f.keyword && f.rule ? ` ${f.keyword}` : '',
          f.tag ? h('code', null, ` ${f.tag}`) : '',
          f.action ? ` · ${f.action}` : '',
          f.detail ? h('span', { class: 'detail' }, ` — ${f.detail}`) : '',
          f.instances && f.instances > 1 ? ` (${f.instances} instances)` : ''))));
    }

    /** The override dialog (native <dialog>: modal, Escape closes, focus returns to the button). */
    function openDialog(item: Item, opener: HTMLElement): void {
      const reason = h('textarea', { id: 'override-reason', 'aria-label': 'Reason', rows: 4, required: true, minlength: 10 });
      const action = h('select', { id: 'override-action', 'aria-label': 'Action' },
        h('option', { value: 'OVERRIDE', selected: !item.deid_override }, 'Override: release the series'),
        h('option', { value: 'REVOKE', selected: item.deid_override }, 'Revoke an earlier override'));
      const dialogError = alertBox(null);
      const confirm = h('button', { type: 'submit', class: 'primary' }, 'Confirm override');
      const cancel = h('button', { type: 'button' }, 'Cancel');
      const dialog = h('dialog', { 'aria-labelledby': 'override-h', class: 'dialog' },
        h('form', { method: 'dialog' },
          h('h2', { id: 'override-h' }, 'Override de-identification'),
          h('p', null, 'Series ', h('code', { class: 'uid' }, item.series_instance_uid),
            ` (de-identification ${item.deid_status ?? '—'}). The reason is kept in the audit trail.`),
          h('label', { for: 'override-action' }, 'Action'), action,
          h('label', { for: 'override-reason' }, 'Reason'), reason,
          dialogError,
          h('div', { class: 'row end' }, cancel, confirm)));
      document.body.append(dialog);
      const close = () => {
        dialog.close();
        dialog.remove();
        if (opener.isConnected) {
          opener.focus();
        }
      };
      cancel.addEventListener('click', close);
      dialog.addEventListener('cancel', (e) => {
        e.preventDefault();
        close();
      });
      dialog.querySelector('form')!.addEventListener('submit', async (e) => {
        e.preventDefault();
        setAlert(dialogError, null);
        confirm.disabled = true;
        dialog.setAttribute('aria-busy', 'true');
        try {
          await json(`/api/v1/series/${seg(item.series_instance_uid)}/deid-override`, {
            method: 'POST', body: { action: action.value, reason: reason.value.trim() } });
          close();
          status.textContent = `${action.value === 'REVOKE' ? 'Revoked the override of' : 'Overrode'} series ${item.series_instance_uid}.`;
          void load(offset);
        } catch (err) {
          setAlert(dialogError, messageOf(err));
        } finally {
          confirm.disabled = false;
          dialog.setAttribute('aria-busy', 'false');
        }
      });
      dialog.showModal();
      reason.focus();
    }

    void load(0);
  };
}
