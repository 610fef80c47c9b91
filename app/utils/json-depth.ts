/**
 * How deep a value from outside (a parsed JSON body) is nested, checked without recursion, so a
 * body nested ten thousand levels deep is refused instead of overflowing the stack of whatever
 * walks it next. Pure.
 */

/** The most levels of objects and arrays a request's JSON may nest (the body itself is level 1). */
export const MAX_JSON_DEPTH = 32;

/**
 * The dotted path of the first object or array nested deeper than `max` levels ("" when `max` is
 * below 1 and the value itself is one), or null when the value stays within `max`.
 */
export function tooDeepPath(value: unknown, max = MAX_JSON_DEPTH): string | null {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (typeof next.value !== "object" || next.value === null) continue;
    if (next.path.length >= max) return next.path.join(".");
    // Reversed, so the path reported is the first one in the document's order.
    for (const [key, child] of Object.entries(next.value).reverse()) {
      if (typeof child === "object" && child !== null) stack.push({ value: child, path: [...next.path, key] });
    }
  }
  return null;
}
