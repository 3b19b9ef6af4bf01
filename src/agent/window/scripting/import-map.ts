// Import maps (`<script type="importmap">`): the `imports` member, the specifier map that bare
// specifiers and URL prefixes of the page's module scripts resolve through (module-loader.ts).
// Scopes and integrity are not supported.

/** HTML §8.1 "parse an import map string", the `imports` member only (no scopes). */
export function parseImportMap(text: string, baseURL: string): Map<string, string> {
  const map = new Map<string, string>();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return map;
  }
  const imports = (json as { imports?: unknown } | null)?.imports;
  if (imports === null || typeof imports !== 'object') return map;
  for (const [key, value] of Object.entries(imports as Record<string, unknown>)) {
    if (typeof value !== 'string') continue;
    let target: string;
    try {
      target = new URL(value, baseURL).href;
    } catch {
      continue;
    }
    let normalized = key;
    if (/^(?:\/|\.\/|\.\.\/)/.test(key)) {
      try {
        normalized = new URL(key, baseURL).href;
      } catch {
        continue;
      }
    }
    map.set(normalized, target);
  }
  return map;
}
