import { describe, expect, it } from 'vitest';
import { formatJson } from '../src/query/format';

describe('formatJson', () => {
  it('keeps short criteria on one line and breaks long ones', () => {
    const q = { and: [{ in: { modality: ['MR'] } }, { in: { series_type: ['DWI', 'ADC'] } }, { range: { patient_age_years: { gte: 40, lt: 50 } } }] };
    expect(formatJson(q)).toBe([
      '{',
      '  "and": [',
      '    {"in": {"modality": ["MR"]}},',
      '    {"in": {"series_type": ["DWI", "ADC"]}},',
      '    {"range": {"patient_age_years": {"gte": 40, "lt": 50}}}',
      '  ]',
      '}',
    ].join('\n'));
    expect(formatJson({})).toBe('{}');
    expect(formatJson({ eq: { modality: 'CT' } })).toBe('{"eq": {"modality": "CT"}}');
  });

  it('always gives JSON that parses back to the same value', () => {
    const values = [{ a: [1, 2, { b: null, c: 'x"y' }], d: [] , e: {} }, [[], [[]]], 'text', 3.5, true, null];
    for (const v of values) {
      expect(JSON.parse(formatJson(v, 10))).toEqual(v);
      expect(JSON.parse(formatJson(v))).toEqual(v);
    }
  });
});
