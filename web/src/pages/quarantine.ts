/** Quarantined files of the project (editor/admin): why each file was set aside, never its content. */
import { json, messageOf, seg } from '../api';
import type { AppContext } from '../app';
import { alertBox, badge, fill, fmtBytes, fmtTime, h, setAlert } from '../dom';
import { dataTable, offsetPager } from './table';

interface Item {
  run_id: string;
  source_uri: string;
  reason: string;
  detail: string | null;
  size_bytes: number | null;
  sha256: string | null;
  quarantined_at: string | null;
}

const LIMIT = 50;

export function quarantinePage(main: HTMLElement, ctx: AppContext): void {
  const error = alertBox(null);
  const body = h('div');
  fill(main, h('h1', null, 'Quarantine'),
    h('p', { class: 'lead' }, 'Files an ingest run could not take into the lake, newest first.'), error, body);

  async function load(offset: number): Promise<void> {
    ctx.busy(true);
    try {
      const r = await json<{ total: number; items: Item[] }>(
        `/api/v1/projects/${seg(ctx.project!)}/quarantine?limit=${LIMIT}&offset=${offset}`);
      setAlert(error, null);
      fill(body, dataTable<Item>('Quarantine', [
        { title: 'Quarantined', cell: (i) => fmtTime(i.quarantined_at), class: 'nowrap' },
        { title: 'Reason', cell: (i) => badge(i.reason) },
        { title: 'Detail', cell: (i) => i.detail ?? '—', class: 'desc' },
        { title: 'Source', cell: (i) => h('code', { class: 'path' }, i.source_uri) },
        { title: 'Size', cell: (i) => fmtBytes(i.size_bytes), class: 'num' },
        { title: 'SHA-256', cell: (i) => i.sha256 ? h('code', { class: 'hash', title: i.sha256 }, i.sha256.slice(0, 12) + '…') : '—' },
      ], r.items, 'Nothing in quarantine.'), offsetPager(offset, LIMIT, r.total, (o) => void load(o)));
    } catch (e) {
      setAlert(error, messageOf(e));
    } finally {
      ctx.busy(false);
    }
  }

  void load(0);
}
