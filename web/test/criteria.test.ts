import { describe, expect, it } from 'vitest';
import { fromQuery, QueryShapeError, scoped, toggle, toQuery, valueLabel, withoutFacet, FACETS, type BuilderState } from '../src/query/criteria';

const empty: BuilderState = { selection: new Map(), extra: [] };
const facet = (name: string) => FACETS.find((f) => f.name === name)!;

describe('facet selection -> query', () => {
  it('is {} with nothing selected', () => {
    expect(toQuery(empty)).toEqual({});
  });

  it('ORs the values of one facet with in and ANDs facets in facet order', () => {
    let s = toggle(empty, 'series_type', 'DWI', true);
    s = toggle(s, 'modality', 'MR', true);
    s = toggle(s, 'modality', 'CT', true);
    expect(toQuery(s)).toEqual({ and: [{ in: { modality: ['MR', 'CT'] } }, { in: { series_type: ['DWI'] } }] });
  });

  it('drops a facet whose last value is unticked', () => {
    const s = toggle(toggle(empty, 'modality', 'MR', true), 'modality', 'MR', false);
    expect(s.selection.has('modality')).toBe(false);
    expect(toQuery(s)).toEqual({});
  });

  it('turns histogram buckets into ranges (one range, or an or of ranges)', () => {
    let s = toggle(empty, 'age', 40, true);
    expect(toQuery(s)).toEqual({ and: [{ range: { patient_age_years: { gte: 40, lt: 50 } } }] });
    s = toggle(s, 'age', 20, true);
    expect(toQuery(s)).toEqual({ and: [{ or: [
      { range: { patient_age_years: { gte: 20, lt: 30 } } },
      { range: { patient_age_years: { gte: 40, lt: 50 } } }] }] });
    const f = toggle(empty, 'field_strength', 1.5, true);
    expect(toQuery(f)).toEqual({ and: [{ range: { magnetic_field_strength: { gte: 1.5, lt: 2 } } }] });
  });

  it('labels values by the value itself (terms) or the bucket (histograms)', () => {
    expect(valueLabel(facet('modality'), 'MR')).toBe('MR');
    expect(valueLabel(facet('age'), 40)).toBe('40–49');
    expect(valueLabel(facet('field_strength'), 1.5)).toBe('1.5–2 T');
  });
});

describe('query -> facet selection (round trip)', () => {
  it('reads back what the facets wrote', () => {
    let s = toggle(empty, 'modality', 'MR', true);
    s = toggle(s, 'series_type', 'DWI', true);
    s = toggle(s, 'series_type', 'ADC', true);
    s = toggle(s, 'age', 60, true);
    s = toggle(s, 'age', 70, true);
    s = toggle(s, 'field_strength', 3, true);
    const q = toQuery(s);
    const back = fromQuery(JSON.parse(JSON.stringify(q)));
    expect(back.extra).toEqual([]);
    expect(Object.fromEntries(back.selection)).toEqual(Object.fromEntries(s.selection));
    expect(toQuery(back)).toEqual(q);
  });

  it('accepts eq and a bare criterion, not only and/in', () => {
    const s = fromQuery({ eq: { modality: 'CT' } });
    expect(s.selection.get('modality')).toEqual(['CT']);
    expect(toQuery(s)).toEqual({ and: [{ in: { modality: ['CT'] } }] });
  });

  it('keeps criteria the facets cannot show, in order, and still applies them', () => {
    const extra1 = { match: { series_description: 'axial flair' } };
    const extra2 = { range: { patient_age_years: { gte: 42 } } };
    const extra3 = { in: { modality: ['PT'] } }; // a second criterion on a facet already shown narrows within it
    const q = { and: [extra1, { in: { modality: ['MR'] } }, extra2, extra3, { not: { eq: { site: 'x' } } }] };
    const s = fromQuery(q);
    expect(s.selection.get('modality')).toEqual(['MR']);
    expect(s.extra).toEqual([extra1, extra2, extra3, { not: { eq: { site: 'x' } } }]);
    const again = toQuery(toggle(s, 'sex', 'F', true));
    expect(again).toEqual({ and: [{ in: { modality: ['MR'] } }, { in: { patient_sex: ['F'] } }, extra1, extra2, extra3,
      { not: { eq: { site: 'x' } } }] });
    expect(fromQuery(again).extra).toEqual(s.extra);
  });

  it('keeps ranges that are not exactly one bucket as extra criteria', () => {
    const odd = { range: { patient_age_years: { gte: 45, lt: 55 } } };
    expect(fromQuery({ and: [odd] }).extra).toEqual([odd]);
    expect(fromQuery({ and: [odd] }).selection.size).toBe(0);
  });

  it('passes malformed parts through for the server to name', () => {
    const s = fromQuery({ and: [{ eq: { colour: 'red' } }, 7] });
    expect(s.extra).toEqual([{ eq: { colour: 'red' } }, 7]);
  });

  it('refuses what is not a criteria object', () => {
    expect(() => fromQuery([1, 2])).toThrow(QueryShapeError);
    expect(() => fromQuery('MR')).toThrow(QueryShapeError);
    expect(fromQuery({}).selection.size).toBe(0);
    expect(fromQuery({ and: [] }).extra).toEqual([]);
  });
});

describe('helpers', () => {
  it('leaves a facet out for its own counts', () => {
    let s = toggle(empty, 'modality', 'MR', true);
    s = toggle(s, 'series_type', 'DWI', true);
    expect(withoutFacet(s, 'modality')).toEqual({ and: [{ in: { series_type: ['DWI'] } }] });
    expect(withoutFacet(toggle(empty, 'modality', 'MR', true), 'modality')).toEqual({});
  });

  it('scopes a query to the project', () => {
    expect(scoped({}, 'demo')).toEqual({ eq: { project: 'demo' } });
    expect(scoped({ eq: { modality: 'MR' } }, 'demo')).toEqual({ and: [{ eq: { modality: 'MR' } }, { eq: { project: 'demo' } }] });
    // the user's criteria keep their positions ($.and[0] stays $.and[0] in the server's error messages)
    expect(scoped({ and: [{ eq: { colour: 'red' } }] }, 'demo')).toEqual({ and: [{ eq: { colour: 'red' } }, { eq: { project: 'demo' } }] });
    expect(scoped({ eq: { modality: 'MR' } }, null)).toEqual({ eq: { modality: 'MR' } });
  });
});
