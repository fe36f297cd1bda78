/**
 * The criteria language of POST /api/v1/search (docs/search.md) as plain JSON values, and the facets the cohort
 * builder shows. Pure: no DOM, no fetch.
 */

/** A JSON criteria object: exactly one operator key, e.g. {"in": {"modality": ["MR"]}}. */
export type Criteria = Record<string, unknown>;

export interface FacetDef {
  /** Facet name in the search request's `facets` and response's `facets`. */
  readonly name: string;
  /** Legend shown to the user (contract: exact). */
  readonly label: string;
  /** The criteria field the facet's values filter on. */
  readonly field: string;
  /** terms: a value is a keyword; histogram: a value is a bucket's lower bound of the given width. */
  readonly kind: 'terms' | 'histogram';
  readonly width?: number;
  readonly unit?: string;
}

/** The builder's facets in display order. */
export const FACETS: readonly FacetDef[] = [
  { name: 'modality', label: 'Modality', field: 'modality', kind: 'terms' },
  { name: 'series_type', label: 'Series type', field: 'series_type', kind: 'terms' },
  { name: 'body_part', label: 'Body part', field: 'body_part_examined', kind: 'terms' },
  { name: 'manufacturer', label: 'Manufacturer', field: 'manufacturer', kind: 'terms' },
  { name: 'field_strength', label: 'Field strength', field: 'magnetic_field_strength', kind: 'histogram', width: 0.5, unit: 'T' },
  { name: 'age', label: 'Age', field: 'patient_age_years', kind: 'histogram', width: 10 },
  { name: 'sex', label: 'Sex', field: 'patient_sex', kind: 'terms' },
  { name: 'site', label: 'Site', field: 'site', kind: 'terms' },
  { name: 'qa_status', label: 'QA status', field: 'qa_status', kind: 'terms' },
  { name: 'deid_status', label: 'De-identification', field: 'deid_status', kind: 'terms' },
  { name: 'completeness_status', label: 'Completeness', field: 'completeness_status', kind: 'terms' },
];

export const FACET_NAMES: readonly string[] = FACETS.map((f) => f.name);

/** Selected values per facet name: strings for terms facets, bucket lower bounds for histograms. */
export type Selection = Map<string, Array<string | number>>;

/** What the builder holds: facet selections plus criteria the facets cannot show (kept and still applied). */
export interface BuilderState {
  readonly selection: Selection;
  readonly extra: readonly Criteria[];
}

/** The accessible name / label of one facet value, e.g. "MR", "40–49", "1.5–2 T". */
export function valueLabel(facet: FacetDef, value: string | number): string {
  if (facet.kind === 'terms') {
    return String(value);
  }
  const lo = Number(value);
  const w = facet.width ?? 1;
  if (Number.isInteger(w)) {
    return `${lo}–${lo + w - 1}`;
  }
  return `${trim(lo)}–${trim(lo + w)}${facet.unit ? ' ' + facet.unit : ''}`;
}

function trim(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

function bucketCriteria(facet: FacetDef, lo: number): Criteria {
  return { range: { [facet.field]: { gte: lo, lt: roundBound(lo + (facet.width ?? 1)) } } };
}

/** Bucket bounds are multiples of the width; round away floating-point dust (0.1 + 0.2 ...). */
function roundBound(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** The criterion of one facet's selected values (OR-ed), or null when nothing is selected. */
export function facetCriteria(facet: FacetDef, values: ReadonlyArray<string | number>): Criteria | null {
  if (values.length === 0) {
    return null;
  }
  if (facet.kind === 'terms') {
    return { in: { [facet.field]: [...values].map(String) } };
  }
  const ranges = [...values].map(Number).sort((a, b) => a - b).map((lo) => bucketCriteria(facet, lo));
  return ranges.length === 1 ? ranges[0] : { or: ranges };
}

/**
 * The query of a builder state: the facets' criteria in facet order, then the extra criteria, AND-ed.
 * Nothing selected and no extras is {} (every series the caller may see).
 */
export function toQuery(state: BuilderState): Criteria {
  const parts: Criteria[] = [];
  for (const facet of FACETS) {
    const c = facetCriteria(facet, state.selection.get(facet.name) ?? []);
    if (c) {
      parts.push(c);
    }
  }
  parts.push(...state.extra);
  return parts.length === 0 ? {} : { and: parts };
}

export class QueryShapeError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The single field and its argument of a field operator's argument ({"modality": ...}), else null. */
function single(arg: unknown): [string, unknown] | null {
  if (!isObject(arg)) {
    return null;
  }
  const keys = Object.keys(arg);
  return keys.length === 1 ? [keys[0], arg[keys[0]]] : null;
}

function facetOfField(field: string): FacetDef | undefined {
  return FACETS.find((f) => f.field === field);
}

/** A histogram bucket lower bound if `c` is exactly one facet bucket's range, else null. */
function bucketOf(facet: FacetDef, c: unknown): number | null {
  if (!isObject(c) || Object.keys(c).length !== 1 || !('range' in c)) {
    return null;
  }
  const fv = single(c.range);
  if (!fv || fv[0] !== facet.field || !isObject(fv[1])) {
    return null;
  }
  const b = fv[1];
  const keys = Object.keys(b).sort().join(',');
  if (keys !== 'gte,lt' || typeof b.gte !== 'number' || typeof b.lt !== 'number') {
    return null;
  }
  const w = facet.width ?? 1;
  const aligned = Math.abs(b.gte / w - Math.round(b.gte / w)) < 1e-9;
  return aligned && Math.abs(b.lt - b.gte - w) < 1e-9 ? b.gte : null;
}

/** The facet and values a criterion selects if a facet can show it exactly, else null. */
export function asFacetValues(c: Criteria): { facet: FacetDef; values: Array<string | number> } | null {
  const ops = Object.keys(c);
  if (ops.length !== 1) {
    return null;
  }
  const op = ops[0];
  if (op === 'in' || op === 'eq') {
    const fv = single(c[op]);
    const facet = fv ? facetOfField(fv[0]) : undefined;
    if (!fv || !facet || facet.kind !== 'terms') {
      return null;
    }
    const values = op === 'eq' ? [fv[1]] : fv[1];
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'string')) {
      return null;
    }
    return { facet, values: dedupe(values as string[]) };
  }
  if (op === 'range' || op === 'or') {
    const items = op === 'range' ? [c] : c.or;
    if (!Array.isArray(items) || items.length === 0) {
      return null;
    }
    for (const facet of FACETS) {
      if (facet.kind !== 'histogram') {
        continue;
      }
      const buckets = items.map((i) => bucketOf(facet, i));
      if (buckets.every((b): b is number => b !== null)) {
        return { facet, values: dedupe(buckets) };
      }
    }
  }
  return null;
}

function dedupe<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/**
 * Reads a query back into facet selections. Each top-level AND-ed criterion a facet can show becomes that
 * facet's selection (the first one per facet; a second criterion on the same facet would narrow within it, which
 * checkboxes cannot show); everything else is kept as extra criteria, in order.
 *
 * @throws QueryShapeError when the value is not a criteria object at all
 */
export function fromQuery(query: unknown): BuilderState {
  if (!isObject(query)) {
    throw new QueryShapeError('The query must be a JSON object such as {"in": {"modality": ["MR"]}} or {}.');
  }
  const selection: Selection = new Map();
  const extra: Criteria[] = [];
  const keys = Object.keys(query);
  if (keys.length === 0) {
    return { selection, extra };
  }
  const parts: unknown[] = keys.length === 1 && keys[0] === 'and' && Array.isArray(query.and) ? query.and : [query];
  for (const p of parts) {
    if (!isObject(p)) {
      extra.push(p as Criteria); // the server names what is wrong with it
      continue;
    }
    const fv = asFacetValues(p);
    if (fv && !selection.has(fv.facet.name)) {
      selection.set(fv.facet.name, fv.values);
    } else {
      extra.push(p);
    }
  }
  return { selection, extra };
}

/** A new state with `value` of `facet` switched on or off (a facet with no value left is dropped). */
export function toggle(state: BuilderState, facetName: string, value: string | number, on: boolean): BuilderState {
  const selection: Selection = new Map(state.selection);
  const current = selection.get(facetName) ?? [];
  const next = on ? (current.includes(value) ? current : [...current, value]) : current.filter((v) => v !== value);
  if (next.length === 0) {
    selection.delete(facetName);
  } else {
    selection.set(facetName, next);
  }
  return { selection, extra: state.extra };
}

/** The query with `facetName`'s own criterion left out: the base of that facet's counts (multi-select facets). */
export function withoutFacet(state: BuilderState, facetName: string): Criteria {
  const selection: Selection = new Map(state.selection);
  selection.delete(facetName);
  return toQuery({ selection, extra: state.extra });
}

/**
 * The query scoped to one project, as the server freezes a project's cohort. The project criterion goes last, so
 * the server's error paths ($.and[1]...) name the user's own criteria at the positions they wrote them.
 */
export function scoped(query: Criteria, project: string | null): Criteria {
  if (!project) {
    return query;
  }
  const p = { eq: { project } };
  const keys = Object.keys(query);
  if (keys.length === 0) {
    return p;
  }
  if (keys.length === 1 && Array.isArray(query.and)) {
    return { and: [...query.and, p] };
  }
  return { and: [query, p] };
}
