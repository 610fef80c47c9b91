/**
 * Text from outside as a regular expression that matches it literally: every metacharacter
 * escaped, and control characters (NUL included, which MongoDB refuses inside a pattern) written
 * as \xHH escapes, which both JavaScript and MongoDB's PCRE read as that character. Pure.
 */
export function literalPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
