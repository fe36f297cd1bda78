/** Cohorts of the selected project: the list, and one cohort's detail (freeze, versions, diff, manifest). */
import { download, json, messageOf, seg } from '../api';
import { type AppContext, canManage } from '../app';
import { alertBox, fill, fmtNum, fmtTime, h, setAlert } from '../dom';
import { formatJson } from '../query/format';

interface VersionSummary {
  version: number;
  frozen_at: string;
  frozen_by: string;
  series_count: number;
  instance_count: number;
  members_sha256: string;
}

interface Cohort {
  name: string;
  description: string | null;
  query: unknown;
  created_by: string;
  created_at: string;
  latest_version: number | null;
  versions: VersionSummary[];
}

interface Diff {
  from: number;
  to: number;
  identical: boolean;
  series_added: string[];
  series_removed: string[];
  series_changed: Array<{ series_instance_uid: string; instances_added: number; instances_removed: number; instances_changed: number }>;
  series_unchanged: number;
}

const base = (ctx: AppContext) => `/api/v1/projects/${seg(ctx.project!)}/cohorts`;

export function cohortsPage(main: HTMLElement, ctx: AppContext): void {
  const error = alertBox(null);
  const body = h('div', { class: 'cohort-list' });
  fill(main, h('h1', null, 'Cohorts'), h('p', { class: 'lead' }, `Saved cohorts of project ${ctx.project}.`), error, body);
  ctx.busy(true);
  json<{ cohorts: Cohort[] }>(base(ctx))
    .then(({ cohorts }) => {
      if (cohorts.length === 0) {
        fill(body, h('p', null, 'No cohorts yet. ', h('a', { href: '#/builder' }, 'Build one in the cohort builder'), '.'));
        return;
      }
      fill(body, h('table', { 'aria-label': 'Cohorts' },
        h('thead', null, h('tr', null, ['Name', 'Description', 'Created by', 'Created', 'Latest version', 'Series']
          .map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, cohorts.map((c) => {
          const latest = c.versions[c.versions.length - 1];
          return h('tr', null,
            h('td', null, h('a', { href: `#/cohorts/${encodeURIComponent(c.name)}` }, c.name)),
            h('td', { class: 'desc' }, c.description ?? '—'),
            h('td', null, c.created_by),
            h('td', { class: 'nowrap' }, fmtTime(c.created_at)),
            h('td', { class: 'num' }, c.latest_version ?? 'not frozen'),
            h('td', { class: 'num' }, latest ? fmtNum(latest.series_count) : '—'));
        }))));
    })
    .catch((e) => setAlert(error, messageOf(e)))
    .finally(() => ctx.busy(false));
}

export function cohortPage(main: HTMLElement, ctx: AppContext, params: string[]): void {
  const name = params[0];
  const url = `${base(ctx)}/${seg(name)}`;
  const error = alertBox(null);
  const status = h('p', { role: 'status', class: 'status-line' });
  const info = h('div', { class: 'cohort-info' });
  const freezeBtn = h('button', { type: 'button', class: 'primary' }, 'Freeze');
  const versionsBox = h('div', { class: 'versions' });
  const fromSel = h('select', { id: 'diff-from', 'aria-label': 'From version' });
  const toSel = h('select', { id: 'diff-to', 'aria-label': 'To version' });
  const compareBtn = h('button', { type: 'button' }, 'Compare');
  const diffOut = h('div', { class: 'diff', 'aria-live': 'polite' });
  const manifestVersion = h('select', { id: 'manifest-version', 'aria-label': 'Manifest version' });
  const formatSel = h('select', { id: 'manifest-format', 'aria-label': 'Manifest format' },
    ['json', 'csv', 'parquet'].map((f) => h('option', { value: f }, f)));
  const downloadBtn = h('button', { type: 'button' }, 'Download manifest');
  const frozenOnly = h('div', { class: 'frozen-only' },
    h('section', { 'aria-labelledby': 'manifest-h', class: 'panel' },
      h('h2', { id: 'manifest-h' }, 'Manifest'),
      h('div', { class: 'row' },
        h('label', { for: 'manifest-version' }, 'Version'), manifestVersion,
        h('label', { for: 'manifest-format' }, 'Format'), formatSel, downloadBtn)),
    h('section', { 'aria-labelledby': 'diff-h', class: 'panel' },
      h('h2', { id: 'diff-h' }, 'Compare versions'),
      h('div', { class: 'row' },
        h('label', { for: 'diff-from' }, 'From'), fromSel,
        h('label', { for: 'diff-to' }, 'To'), toSel, compareBtn),
      diffOut));

  fill(main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/cohorts' }, 'Cohorts'), ' / ', name),
    h('h1', null, name),
    error, status, info,
    h('section', { 'aria-labelledby': 'versions-h', class: 'panel' },
      h('div', { class: 'row spread' }, h('h2', { id: 'versions-h' }, 'Versions'), canManage(ctx) ? freezeBtn : null),
      versionsBox),
    frozenOnly);

  let cohort: Cohort | null = null;

  async function load(): Promise<void> {
    ctx.busy(true);
    try {
      cohort = await json<Cohort>(url);
      show(cohort);
    } catch (e) {
      setAlert(error, messageOf(e));
    } finally {
      ctx.busy(false);
    }
  }

  function show(c: Cohort): void {
    fill(info,
      h('dl', { class: 'facts' },
        h('dt', null, 'Description'), h('dd', null, c.description ?? '—'),
        h('dt', null, 'Created'), h('dd', null, `${fmtTime(c.created_at)} by ${c.created_by}`),
        h('dt', null, 'Query'), h('dd', null, h('pre', { class: 'code' }, formatJson(c.query)))));
    const vs = c.versions;
    if (vs.length === 0) {
      fill(versionsBox, h('p', null, 'Not frozen yet. Freezing records the exact series and instances the query selects now.'));
    } else {
      fill(versionsBox, h('table', { 'aria-label': 'Versions' },
        h('thead', null, h('tr', null, ['Version', 'Frozen', 'By', 'Series', 'Instances', 'Members SHA-256']
          .map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', null, [...vs].reverse().map((v) => h('tr', null,
          h('td', { class: 'num' }, v.version),
          h('td', { class: 'nowrap' }, fmtTime(v.frozen_at)),
          h('td', null, v.frozen_by),
          h('td', { class: 'num' }, fmtNum(v.series_count)),
          h('td', { class: 'num' }, fmtNum(v.instance_count)),
          h('td', null, h('code', { class: 'hash', title: v.members_sha256 }, v.members_sha256.slice(0, 16) + '…')))))));
    }
    const options = (selected: number | undefined) => [...vs].reverse().map((v) =>
      h('option', { value: String(v.version), selected: v.version === selected }, `v${v.version}`));
    const latest = vs[vs.length - 1]?.version;
    fill(manifestVersion, options(latest));
    fill(fromSel, options(vs.length > 1 ? vs[vs.length - 2].version : latest));
    fill(toSel, options(latest));
    frozenOnly.hidden = vs.length === 0;
    compareBtn.disabled = vs.length === 0;
  }

  freezeBtn.addEventListener('click', async () => {
    freezeBtn.disabled = true;
    setAlert(error, null);
    status.textContent = 'Freezing…';
    try {
      const v = await json<VersionSummary>(`${url}/versions`, { method: 'POST', body: {} });
      status.textContent = `Froze version ${v.version}: ${fmtNum(v.series_count)} series, ${fmtNum(v.instance_count)} instances.`;
      await load();
    } catch (e) {
      status.textContent = '';
      setAlert(error, messageOf(e));
    } finally {
      freezeBtn.disabled = false;
    }
  });

  compareBtn.addEventListener('click', async () => {
    setAlert(error, null);
    diffOut.setAttribute('aria-busy', 'true');
    try {
      const d = await json<Diff>(`${url}/diff?from=${seg(fromSel.value)}&to=${seg(toSel.value)}`);
      showDiff(d);
    } catch (e) {
      setAlert(error, messageOf(e));
    } finally {
      diffOut.setAttribute('aria-busy', 'false');
    }
  });

  function showDiff(d: Diff): void {
    const summary = d.identical
      ? `v${d.from} and v${d.to} have identical members.`
      : `v${d.from} → v${d.to}: ${d.series_added.length} series added, ${d.series_removed.length} removed, `
        + `${d.series_changed.length} changed, ${d.series_unchanged} unchanged.`;
    const list = (title: string, uids: string[]) => uids.length === 0 ? null
      : h('details', null, h('summary', null, `${title} (${uids.length})`), h('ul', { class: 'uids' }, uids.map((u) => h('li', null, h('code', null, u)))));
    fill(diffOut, h('p', { role: 'status' }, summary),
      list('Series added', d.series_added),
      list('Series removed', d.series_removed),
      d.series_changed.length === 0 ? null : h('details', null, h('summary', null, `Series changed (${d.series_changed.length})`),
        h('table', { 'aria-label': 'Changed series' },
          h('thead', null, h('tr', null, ['Series', 'Instances added', 'removed', 'changed'].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', null, d.series_changed.map((s) => h('tr', null, h('td', null, h('code', null, s.series_instance_uid)),
            h('td', { class: 'num' }, s.instances_added), h('td', { class: 'num' }, s.instances_removed),
            h('td', { class: 'num' }, s.instances_changed)))))));
  }

  downloadBtn.addEventListener('click', async () => {
    setAlert(error, null);
    const v = manifestVersion.value;
    const format = formatSel.value;
    downloadBtn.disabled = true;
    try {
      const file = await download(`${url}/versions/${seg(v)}/manifest?format=${seg(format)}`,
        `${ctx.project}-${name}-v${v}.${format}`);
      status.textContent = `Downloaded ${file}.`;
    } catch (e) {
      setAlert(error, messageOf(e));
    } finally {
      downloadBtn.disabled = false;
    }
  });

  frozenOnly.hidden = true;
  void load();
}
