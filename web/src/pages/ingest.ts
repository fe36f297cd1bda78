/** Ingest runs of the project (editor/admin): the accounting of each run; a running one shows its progress. */
import { json, messageOf, seg } from '../api';
import type { AppContext } from '../app';
import { alertBox, badge, fill, fmtNum, fmtTime, h, setAlert } from '../dom';
import { dataTable } from './table';

interface Run {
  run_id: string;
  sources: string[] | null;
  site: string | null;
  user: string | null;
  started_at: string | null;
  finished_at: string | null;
  status: string | null;
  files_seen: number | null;
  files_total?: number | null;
  instances_added: number | null;
  instances_existing: number | null;
  quarantined: number | null;
  not_dicom: number | null;
  conflicts: number | null;
  series: number | null;
  studies: number | null;
}

/** Files a run has dealt with so far (each file ends in exactly one of these). */
function filesDone(r: Run): number {
  return (r.instances_added ?? 0) + (r.instances_existing ?? 0) + (r.quarantined ?? 0) + (r.not_dicom ?? 0) + (r.conflicts ?? 0);
}

function progress(r: Run): HTMLElement {
  const total = r.files_total ?? r.files_seen ?? 0;
  const done = r.files_total ? (r.files_seen ?? 0) : filesDone(r);
  const text = `${fmtNum(done)} of ${fmtNum(total)} files`;
  return h('div', { class: 'progress' },
    total > 0
      ? h('progress', { max: total, value: Math.min(done, total), 'aria-label': `Run ${r.run_id} progress`, 'aria-valuetext': text })
      : h('progress', { 'aria-label': `Run ${r.run_id} progress` }),
    h('span', null, total > 0 ? text : 'starting'));
}

export function ingestPage(main: HTMLElement, ctx: AppContext): () => void {
  const error = alertBox(null);
  const body = h('div', { 'aria-live': 'polite' });
  const refresh = h('button', { type: 'button' }, 'Refresh');
  fill(main, h('div', { class: 'row spread' }, h('h1', null, 'Ingest runs'), refresh),
    h('p', { class: 'lead' }, `Newest first. Every file a run saw ends in one column: added, already there, quarantined, `
      + `not DICOM or conflict.`), error, body);
  let timer: number | undefined;

  async function load(): Promise<void> {
    window.clearTimeout(timer);
    ctx.busy(true);
    try {
      const { items } = await json<{ items: Run[] }>(`/api/v1/projects/${seg(ctx.project!)}/ingest-runs?limit=50`);
      setAlert(error, null);
      fill(body, dataTable<Run>('Ingest runs', [
        { title: 'Started', cell: (r) => fmtTime(r.started_at), class: 'nowrap' },
        { title: 'Status', cell: (r) => r.status === 'RUNNING' ? [badge(r.status), progress(r)] : badge(r.status) },
        { title: 'Site', cell: (r) => r.site ?? '—', class: 'nowrap' },
        { title: 'User', cell: (r) => r.user ?? '—' },
        { title: 'Sources', cell: (r) => (r.sources ?? []).map((u) => h('code', { class: 'path' }, u)), class: 'sources' },
        { title: 'Files seen', cell: (r) => fmtNum(r.files_seen), class: 'num' },
        { title: 'Added', cell: (r) => fmtNum(r.instances_added), class: 'num' },
        { title: 'Already there', cell: (r) => fmtNum(r.instances_existing), class: 'num' },
        { title: 'Quarantined', cell: (r) => fmtNum(r.quarantined), class: 'num' },
        { title: 'Not DICOM', cell: (r) => fmtNum(r.not_dicom), class: 'num' },
        { title: 'Conflicts', cell: (r) => fmtNum(r.conflicts), class: 'num' },
        { title: 'Series', cell: (r) => fmtNum(r.series), class: 'num' },
        { title: 'Studies', cell: (r) => fmtNum(r.studies), class: 'num' },
        { title: 'Finished', cell: (r) => fmtTime(r.finished_at), class: 'nowrap' },
        { title: 'Run', cell: (r) => h('code', { class: 'hash', title: r.run_id }, r.run_id.slice(0, 8)) },
      ], items, 'No ingest runs in this project yet.'));
      // A running ingest is followed every few seconds until it ends.
      if (items.some((r) => r.status === 'RUNNING')) {
        timer = window.setTimeout(() => void load(), 3000);
      }
    } catch (e) {
      setAlert(error, messageOf(e));
    } finally {
      ctx.busy(false);
    }
  }

  refresh.addEventListener('click', () => void load());
  void load();
  return () => window.clearTimeout(timer);
}
