/**
 * Characters no text of the site takes, from a person or another system: the C0 control
 * characters except tab, line feed and carriage return (NUL, BEL, ESC, backspace, form feed …),
 * DEL, the C1 controls (U+0080–U+009F), the bidirectional embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069: they make text read differently from how it is stored, the
 * "Trojan Source" trick) and lone surrogates (half a character: not text at all). None of them
 * can be typed into a form; they arrive pasted from a PDF, from a script, or on purpose, and they
 * break what reads the text later (PDF contracts, CSV exports, search, the audit log).
 *
 * Refused at the doors every input passes (forms, uploads' text fields, the JSON API, socket
 * events), naming the field, so no schema has to remember it. Pure.
 */

const FORBIDDEN =
  // eslint-disable-next-line no-control-regex -- the control characters are what this matches
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const FORBIDDEN_ALL = new RegExp(FORBIDDEN.source, "g");

/** `text` with each forbidden character written as `\uXXXX`, so a name holding one can be shown. */
export function escapeForbidden(text: string): string {
  return text.replace(FORBIDDEN_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export interface ForbiddenCharacter {
  /** "U+0000" */
  code: string;
  /** 1-based position in the text, counted in characters as a person counts them. */
  position: number;
}

/** The first character of `text` no text of the site takes, or null when there is none. */
export function forbiddenCharacter(text: string): ForbiddenCharacter | null {
  const m = FORBIDDEN.exec(text);
  if (!m) return null;
  const code = `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  return { code, position: [...text.slice(0, m.index)].length + 1 };
}

/**
 * The first key or string value of a parsed JSON value that holds a forbidden character, with its
 * dotted path ("terms.milestones.0.name"; a key is reported at the path it names), or null.
 * Iterative: the value's depth is bounded before (json-depth.ts), but not its width.
 */
export function forbiddenCharacterPath(value: unknown): (ForbiddenCharacter & { path: string }) | null {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (typeof next.value === "string") {
      const bad = forbiddenCharacter(next.value);
      if (bad) return { ...bad, path: escapeForbidden(next.path.join(".")) };
      continue;
    }
    if (typeof next.value !== "object" || next.value === null) continue;
    const entries = Object.entries(next.value);
    for (const [key] of entries) {
      const bad = forbiddenCharacter(key);
      if (bad) return { ...bad, path: escapeForbidden([...next.path, key].join(".")) };
    }
    // Reversed, so the path reported is the first one in the document's order.
    for (const [key, child] of entries.reverse()) stack.push({ value: child, path: [...next.path, key] });
  }
  return null;
}
