/**
 * Messages are i18n keys. One that needs values carries them as a query string after the key
 * (`listingForm.errors.patentCheck?number=ZL…`), so a message with parameters is still one string
 * that survives JSON, conform's replies and field-error maps. Pure and browser-safe.
 */

/** An i18n key with interpolation parameters, as one string. */
export function formMessage(key: string, params?: Record<string, string | number>): string {
  if (!params || Object.keys(params).length === 0) return key;
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  return `${key}?${q.toString()}`;
}

/** The inverse of `formMessage`. */
export function parseFormMessage(message: string): { key: string; params: Record<string, string> } {
  const q = message.indexOf("?");
  if (q < 0) return { key: message, params: {} };
  return { key: message.slice(0, q), params: Object.fromEntries(new URLSearchParams(message.slice(q + 1))) };
}
