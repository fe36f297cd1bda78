/**
 * Cohort builder: facets with live counts, the criteria JSON (round trip with the facets), paged results with QA
 * mosaics, and saving the query as a cohort of the selected project.
 */
import { ApiError, call, isAbort, json, messageOf, seg } from '../api';
import { type AppContext, canManage } from '../app';
import { alertBox, badge, fill, fmtDate, fmtNum, h, setAlert } from '../dom';
import {
  type BuilderState,
  type Criteria,
  type FacetDef,
  FACETS,
  FACET_NAMES,
  fromQuery,
  QueryShapeError,
  scoped,
  toggle,
  toQuery,
  valueLabel,
  withoutFacet,
} from '../query/criteria';
import { formatJson } from '../query/format';

declare global {
  interface Window {
    /** Click-to-count time of the last count (ms), for the browser tests. */
    __lastCountMs?: number;
  }
}

interface Bucket {
  key: string | number;
  to?: number;
  count: number;
}

interface SearchAnswer {
  total: number;
  items: Array<Record<string, unknown>>;
  facets?: Record<string, { buckets: Bucket[]; other_count?: number }>;
  next_search_after?: unknown[] | null;
}

const PAGE_SIZE = 25;
const SORT = [{ field: 'study_date', order: 'desc' }];
const STATE_KEY = 'medlake.builder.query';

/** One facet's list, updated in place so a focused checkbox is never replaced. */
class FacetList {
  readonly el: HTMLFieldSetElement;
  private readonly ul: HTMLUListElement;
  private readonly rows = new Map<string, { li: HTMLLIElement; input: HTMLInputElement; count: HTMLElement }>();
  private order: string[] = [];

  constructor(
    readonly facet: FacetDef,
    private readonly onToggle: (value: string | number, on: boolean, ev: Event) => void,
  ) {
    this.ul = h('ul', { class: 'facet-values' });
    this.el = h('fieldset', { class: 'facet' }, h('legend', null, facet.label), this.ul);
  }

  /** Shows `buckets` (counts) plus every selected value, selected ones checked. */
  update(buckets: Bucket[], selected: ReadonlyArray<string | number>): void {
    const counts = new Map<string, number>();
    const values = new Map<string, string | number>();
    for (const b of buckets) {
      counts.set(String(b.key), b.count);
      values.set(String(b.key), b.key);
    }
    for (const v of selected) {
      values.set(String(v), v);
    }
    const wanted = new Set(values.keys());
    let desired: string[];
    if (this.facet.kind === 'histogram') {
      desired = [...wanted].sort((a, b) => Number(a) - Number(b));
    } else {
      // Stable order: values already shown keep their place, new ones follow by count.
      const kept = this.order.filter((k) => wanted.has(k));
      const fresh = [...wanted].filter((k) => !this.rows.has(k)).sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0));
      desired = [...kept, ...fresh];
    }
    for (const [k, row] of this.rows) {
      if (!wanted.has(k)) {
        row.li.remove();
        this.rows.delete(k);
      }
    }
    for (let i = desired.length - 1, next: Node | null = null; i >= 0; i--) {
      const k = desired[i];
      let row = this.rows.get(k);
      if (!row) {
        row = this.row(values.get(k)!);
        this.rows.set(k, row);
        this.ul.insertBefore(row.li, next);
      }
      next = row.li;
      const sel = selected.some((v) => String(v) === k);
      row.input.checked = sel;
      row.count.textContent = fmtNum(counts.get(k) ?? 0);
      row.li.classList.toggle('zero', !counts.get(k));
    }
    this.order = desired;
    this.el.hidden = desired.length === 0;
  }

  /** Only the ticks (after a refused query: the counts of the last accepted one stay). */
  syncChecked(selected: ReadonlyArray<string | number>): void {
    for (const [k, row] of this.rows) {
      row.input.checked = selected.some((v) => String(v) === k);
    }
  }

  private row(value: string | number) {
    const id = `f-${this.facet.name}-${String(value).replace(/[^A-Za-z0-9_-]/g, (c) => '_' + c.charCodeAt(0))}`;
    const count = h('span', { class: 'count', id: `${id}-count` });
    const input = h('input', { type: 'checkbox', id, 'aria-describedby': `${id}-count` });
    input.addEventListener('change', (ev) => this.onToggle(value, input.checked, ev));
    const li = h('li', null, input, h('label', { for: id }, valueLabel(this.facet, value)), count);
    return { li, input, count };
  }
}

export function builderPage(main: HTMLElement, ctx: AppContext): () => void {
  let state: BuilderState = loadState();
  let controller: AbortController | null = null;
  let pageController: AbortController | null = null;
  let cursors: Array<unknown[] | null> = [null];
  let nextCursor: unknown[] | null = null;
  let total = 0;
  const objectUrls: string[] = [];
  const observer = new IntersectionObserver(onVisible, { rootMargin: '200px' });

  const lists = FACETS.map((f) => new FacetList(f, (value, on, ev) => {
    state = toggle(state, f.name, value, on);
    changed(ev.timeStamp);
  }));
  const facetsBox = h('section', { class: 'facets', 'aria-labelledby': 'facets-h', 'aria-busy': 'false' },
    h('h2', { id: 'facets-h' }, 'Filters'), lists.map((l) => l.el));
  const countEl = h('p', { role: 'status', 'aria-label': 'Result count', class: 'count-big' }, '… series');
  const errorEl = alertBox(null);
  const textarea = h('textarea', { id: 'query-json', 'aria-label': 'Query JSON', rows: 8, spellcheck: false, class: 'code' });
  const applyBtn = h('button', { type: 'button' }, 'Apply JSON');
  const resetBtn = h('button', { type: 'button', class: 'quiet' }, 'Clear filters');
  const tbody = h('tbody');
  const pageInfo = h('span', { class: 'page-info', 'aria-live': 'polite' });
  const prevBtn = h('button', { type: 'button', disabled: true }, 'Previous page');
  const nextBtn = h('button', { type: 'button', disabled: true }, 'Next page');
  const results = h('section', { class: 'results', 'aria-labelledby': 'results-h', 'aria-busy': 'false' },
    h('h2', { id: 'results-h' }, 'Series'),
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Results' }, h('table', { 'aria-label': 'Results' },
      h('thead', null, h('tr', null, ['QA mosaic', 'Modality', 'Series type', 'Description', 'Date', 'Site', 'Instances',
        'QA status'].map((c) => h('th', { scope: 'col' }, c)))),
      tbody)),
    h('div', { class: 'pager' }, prevBtn, pageInfo, nextBtn));

  const saveStatus = h('p', { role: 'status', class: 'save-status' });
  const saveError = alertBox(null);
  const nameInput = h('input', { id: 'cohort-name', 'aria-label': 'Cohort name', required: true,
    pattern: '[A-Za-z0-9._-]{1,128}', placeholder: 'e.g. mr-brain-adults', autocomplete: 'off' });
  const descInput = h('input', { id: 'cohort-desc', 'aria-label': 'Cohort description', autocomplete: 'off' });
  const saveForm = h('form', { class: 'save', 'aria-labelledby': 'save-h' },
    h('h2', { id: 'save-h' }, 'Save as cohort'),
    h('div', { class: 'row' },
      h('label', { for: 'cohort-name' }, 'Cohort name'), nameInput,
      h('label', { for: 'cohort-desc' }, 'Description (optional)'), descInput,
      h('button', { type: 'submit', class: 'primary' }, 'Save cohort')),
    saveError, saveStatus);

  fill(main,
    h('h1', null, 'Cohort builder'),
    h('p', { class: 'lead' }, `Released series of project ${ctx.project}. Tick values to narrow the query: values in one `
      + 'filter are alternatives, filters combine.'),
    h('div', { class: 'builder' },
      facetsBox,
      h('div', { class: 'builder-main' },
        h('div', { class: 'summary' }, countEl, resetBtn),
        errorEl,
        h('details', { class: 'query', open: true },
          h('summary', null, 'Query JSON'),
          h('label', { for: 'query-json', class: 'visually-hidden' }, 'Query JSON'),
          textarea,
          h('div', { class: 'row' }, applyBtn, h('span', { class: 'hint' },
            'Edit the criteria (docs/search.md) and apply; criteria the filters cannot show are kept.'))),
        canManage(ctx) ? saveForm : h('p', { class: 'hint' }, 'Viewers can search; editors and admins save cohorts.'),
        results)));

  showQuery();

  applyBtn.addEventListener('click', (ev) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(textarea.value.trim() || '{}');
      state = fromQuery(parsed);
    } catch (e) {
      showError(e instanceof QueryShapeError ? e.message : `The query is not valid JSON: ${(e as Error).message}`);
      return;
    }
    changed(ev.timeStamp);
  });
  resetBtn.addEventListener('click', (ev) => {
    state = { selection: new Map(), extra: [] };
    changed(ev.timeStamp);
  });
  prevBtn.addEventListener('click', () => {
    if (cursors.length > 1) {
      cursors.pop();
      void loadPage();
    }
  });
  nextBtn.addEventListener('click', () => {
    if (nextCursor) {
      cursors.push(nextCursor);
      void loadPage();
    }
  });
  saveForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void save();
  });

  void count(performance.now());

  function changed(t0: number): void {
    showQuery();
    sessionStorage.setItem(STATE_KEY, JSON.stringify(toQuery(state)));
    void count(t0);
  }

  function showQuery(): void {
    textarea.value = formatJson(toQuery(state));
  }

  function showError(message: string | null): void {
    setAlert(errorEl, message);
  }

  /** Counts and facets of the current query (plus each selected facet's own counts without itself), then page 1. */
  async function count(t0: number): Promise<void> {
    controller?.abort();
    pageController?.abort();
    const c = new AbortController();
    controller = c;
    const query = toQuery(state);
    const selected = [...state.selection.keys()];
    facetsBox.setAttribute('aria-busy', 'true');
    results.setAttribute('aria-busy', 'true');
    try {
      const [mainAnswer, ...own] = await Promise.all([
        search({ query: scoped(query, ctx.project), size: PAGE_SIZE, facets: FACET_NAMES, sort: SORT }, c.signal),
        ...selected.map((f) => search({ query: scoped(withoutFacet(state, f), ctx.project), size: 0, facets: [f] }, c.signal)),
      ]);
      const buckets: Record<string, Bucket[]> = {};
      for (const f of FACET_NAMES) {
        buckets[f] = mainAnswer.facets?.[f]?.buckets ?? [];
      }
      selected.forEach((f, i) => {
        buckets[f] = own[i].facets?.[f]?.buckets ?? [];
      });
      total = mainAnswer.total;
      // Plain digits: the contract's "<N> series" (no thousands separators).
      countEl.textContent = `${total} series`;
      document.body.dataset.countFor = JSON.stringify(query);
      window.__lastCountMs = Math.round((performance.now() - t0) * 10) / 10;
      clearError();
      for (const l of lists) {
        l.update(buckets[l.facet.name], state.selection.get(l.facet.name) ?? []);
      }
      cursors = [null];
      showPage(mainAnswer);
    } catch (e) {
      if (isAbort(e)) {
        return;
      }
      countEl.textContent = e instanceof ApiError && e.status === 400 ? 'No count: the query was not accepted' : 'No count';
      showError(messageOf(e));
      // Show the refused query's ticks and no stale rows.
      for (const l of lists) {
        l.syncChecked(state.selection.get(l.facet.name) ?? []);
      }
      observer.disconnect();
      fill(tbody, h('tr', null, h('td', { colspan: 8, class: 'empty' }, 'No results: fix the query above.')));
      pageInfo.textContent = '';
      prevBtn.disabled = true;
      nextBtn.disabled = true;
      nextCursor = null;
    } finally {
      if (controller === c) {
        facetsBox.setAttribute('aria-busy', 'false');
        results.setAttribute('aria-busy', 'false');
      }
    }
  }

  function clearError(): void {
    showError(null);
  }

  async function loadPage(): Promise<void> {
    pageController?.abort();
    const c = new AbortController();
    pageController = c;
    results.setAttribute('aria-busy', 'true');
    const after = cursors[cursors.length - 1];
    try {
      const answer = await search({ query: scoped(toQuery(state), ctx.project), size: PAGE_SIZE, sort: SORT,
        ...(after ? { search_after: after } : {}) }, c.signal);
      showPage(answer);
    } catch (e) {
      if (!isAbort(e)) {
        showError(messageOf(e));
      }
    } finally {
      if (pageController === c) {
        results.setAttribute('aria-busy', 'false');
      }
    }
  }

  function showPage(answer: SearchAnswer): void {
    for (const u of objectUrls.splice(0)) {
      URL.revokeObjectURL(u);
    }
    observer.disconnect();
    nextCursor = answer.items.length === PAGE_SIZE ? answer.next_search_after ?? null : null;
    const page = cursors.length;
    const first = (page - 1) * PAGE_SIZE + 1;
    if (answer.items.length === 0) {
      fill(tbody, h('tr', null, h('td', { colspan: 8, class: 'empty' }, 'No series match the query.')));
      pageInfo.textContent = '';
    } else {
      fill(tbody, answer.items.map(row));
      pageInfo.textContent = `Page ${page} · ${fmtNum(first)}–${fmtNum(first + answer.items.length - 1)} of ${fmtNum(answer.total ?? total)}`;
    }
    prevBtn.disabled = page <= 1;
    nextBtn.disabled = nextCursor === null;
  }

  function row(item: Record<string, unknown>): HTMLTableRowElement {
    const uid = String(item.series_instance_uid);
    const img = h('img', { alt: `QA mosaic of series ${uid}`, width: 96, height: 96, class: 'thumb', decoding: 'async' });
    img.dataset.uid = uid;
    observer.observe(img);
    return h('tr', null,
      h('td', { class: 'thumb-cell' }, img),
      h('td', null, String(item.modality ?? '—')),
      h('td', null, String(item.series_type ?? '—')),
      h('td', { class: 'desc' }, String(item.series_description ?? '—')),
      h('td', { class: 'nowrap' }, fmtDate(item.study_date)),
      h('td', null, String(item.site ?? '—')),
      h('td', { class: 'num' }, fmtNum(item.instance_count)),
      h('td', null, badge(item.qa_status)));
  }

  function onVisible(entries: IntersectionObserverEntry[]): void {
    for (const e of entries) {
      if (!e.isIntersecting) {
        continue;
      }
      const img = e.target as HTMLImageElement;
      observer.unobserve(img);
      void thumbnail(img);
    }
  }

  async function thumbnail(img: HTMLImageElement): Promise<void> {
    const uid = img.dataset.uid!;
    try {
      const res = await call(`/api/v1/series/${seg(uid)}/thumbnail`);
      const url = URL.createObjectURL(await res.blob());
      objectUrls.push(url);
      img.src = url;
    } catch {
      if (img.isConnected) {
        img.replaceWith(h('span', { class: 'no-thumb' }, 'No thumbnail'));
      }
    }
  }

  async function save(): Promise<void> {
    const name = nameInput.value.trim();
    const setErr = (m: string | null) => setAlert(saveError, m);
    saveStatus.textContent = '';
    if (!name) {
      setErr('Enter a cohort name (letters, digits, ".", "_" or "-").');
      nameInput.focus();
      return;
    }
    setErr(null);
    saveForm.setAttribute('aria-busy', 'true');
    try {
      const body: Record<string, unknown> = { name, query: toQuery(state) };
      if (descInput.value.trim()) {
        body.description = descInput.value.trim();
      }
      await json(`/api/v1/projects/${seg(ctx.project!)}/cohorts`, { method: 'POST', body });
      fill(saveStatus, `Saved cohort ${name} in project ${ctx.project}. `,
        h('a', { href: `#/cohorts/${encodeURIComponent(name)}` }, `Open ${name}`));
    } catch (e) {
      setErr(messageOf(e));
    } finally {
      saveForm.setAttribute('aria-busy', 'false');
    }
  }

  return () => {
    controller?.abort();
    pageController?.abort();
    observer.disconnect();
    for (const u of objectUrls.splice(0)) {
      URL.revokeObjectURL(u);
    }
  };
}

async function search(body: Record<string, unknown>, signal: AbortSignal): Promise<SearchAnswer> {
  return json<SearchAnswer>('/api/v1/search', { method: 'POST', body, signal });
}

function loadState(): BuilderState {
  try {
    const saved = sessionStorage.getItem(STATE_KEY);
    return fromQuery(saved ? (JSON.parse(saved) as Criteria) : {});
  } catch {
    return { selection: new Map(), extra: [] };
  }
}
