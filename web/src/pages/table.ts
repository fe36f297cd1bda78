/** A data table and an offset pager shared by the data-manager and audit pages. */
import { h } from '../dom';

type Cell = Node | string | number | null | undefined;

export interface Column<T> {
  title: string;
  cell: (item: T) => Cell | Cell[];
  class?: string;
}

export function dataTable<T>(label: string, columns: Column<T>[], items: T[], empty: string): HTMLElement {
  // The wrapper scrolls sideways on narrow screens, so keyboard users must be able to focus it.
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': label }, h('table', { 'aria-label': label },
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.title)))),
    h('tbody', null, items.length === 0
      ? h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, empty))
      : items.map((it) => h('tr', null, columns.map((c) => h('td', { class: c.class }, c.cell(it))))))));
}

/** Previous/Next buttons over offset paging (none when everything fits on one page); `go` loads the page at an offset. */
export function offsetPager(offset: number, limit: number, total: number, go: (offset: number) => void): HTMLElement | null {
  if (offset === 0 && total <= limit) {
    return null;
  }
  const prev = h('button', { type: 'button', disabled: offset <= 0, onclick: () => go(Math.max(0, offset - limit)) }, 'Previous page');
  const next = h('button', { type: 'button', disabled: offset + limit >= total, onclick: () => go(offset + limit) }, 'Next page');
  const shown = total === 0 ? 'None' : `${offset + 1}–${Math.min(total, offset + limit)} of ${total}`;
  return h('div', { class: 'pager' }, prev, h('span', { class: 'page-info' }, shown), next);
}
