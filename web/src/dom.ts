/** A tiny element builder: h('button', {type: 'button', onclick}, 'Save'). Text is always set as text, never HTML. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) {
        continue;
      }
      if (k.startsWith('on') && typeof v === 'function') {
        el.addEventListener(k.slice(2), v as EventListener);
      } else if (k === 'class') {
        el.className = String(v);
      } else if (k === 'dataset') {
        Object.assign(el.dataset, v);
      } else if (k === 'value' || (k in el && typeof v !== 'string')) {
        (el as unknown as Record<string, unknown>)[k] = v;
      } else {
        el.setAttribute(k, v === true ? '' : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

function append(el: Element, children: Array<Child | Child[]>): void {
  for (const c of children) {
    if (Array.isArray(c)) {
      append(el, c);
    } else if (c !== null && c !== undefined && c !== false) {
      el.append(c instanceof Node ? c : String(c));
    }
  }
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Array<Child | Child[]>): void {
  el.replaceChildren();
  append(el, children);
}

/** A role="alert" box with the message (empty and hidden from view when null). */
export function alertBox(message: string | null): HTMLElement {
  const el = h('div', { role: 'alert' });
  setAlert(el, message);
  return el;
}

/** Updates an alert box in place (a live region must stay in the DOM to be announced). */
export function setAlert(el: HTMLElement, message: string | null): void {
  el.className = message ? 'alert' : 'alert empty';
  el.textContent = message ?? '';
}

export function fmtDate(v: unknown): string {
  if (v === null || v === undefined || v === '') {
    return '—';
  }
  if (typeof v === 'number') {
    return new Date(v).toISOString().slice(0, 10);
  }
  return String(v);
}

export function fmtTime(v: unknown): string {
  if (!v) {
    return '—';
  }
  const d = new Date(String(v));
  return Number.isNaN(d.getTime()) ? String(v) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function fmtNum(v: unknown): string {
  return typeof v === 'number' ? v.toLocaleString('en') : v === null || v === undefined ? '—' : String(v);
}

export function fmtBytes(v: unknown): string {
  if (typeof v !== 'number') {
    return '—';
  }
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = v;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/** A status badge: text stays the status word, colour is only a second cue. */
export function badge(status: unknown): HTMLElement {
  const s = status === null || status === undefined ? '—' : String(status);
  return h('span', { class: `badge badge-${s.toLowerCase().replace(/[^a-z]/g, '')}` }, s);
}
