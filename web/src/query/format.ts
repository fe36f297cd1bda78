/**
 * Pretty JSON for people: like JSON.stringify(v, null, 2), but an object or array whose one-line form fits in
 * `width` characters stays on one line ({"in": {"modality": ["MR"]}} instead of nine lines).
 */
export function formatJson(value: unknown, width = 64, indent = ''): string {
  const flat = oneLine(value);
  if (flat.length + indent.length <= width || value === null || typeof value !== 'object') {
    return flat;
  }
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return '[]';
    }
    return `[\n${value.map((v) => inner + formatJson(v, width, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) {
    return '{}';
  }
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, width, inner)}`).join(',\n')}\n${indent}}`;
}

/** One line with a space after ':' and ',' (valid JSON, easier to read than JSON.stringify's). */
function oneLine(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    return `[${value.map(oneLine).join(', ')}]`;
  }
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`).join(', ')}}`;
}
