/**
 * One instance per process, whatever loads the module. The Express server and the Remix build load
 * their own copies of app modules (and dev rebuilds load them again), so a module-level `let`
 * would make one logger, one Meilisearch client or one payment gateway per copy. The value is kept
 * on globalThis under one namespace instead (the indie stack's `singleton.server.ts`).
 */
const store = (): Map<string, unknown> => {
  const g = globalThis as unknown as { __chengguo?: Map<string, unknown> };
  g.__chengguo ??= new Map();
  return g.__chengguo;
};

/** The process's one `name`, made by `make` on first use. */
export function singleton<T>(name: string, make: () => T): T {
  const s = store();
  if (!s.has(name)) s.set(name, make());
  return s.get(name) as T;
}

/** The process's `name` if it was made or set, else undefined. */
export function peekSingleton<T>(name: string): T | undefined {
  return store().get(name) as T | undefined;
}

/** Sets (or with undefined forgets) the process's `name`: installed hooks, and tests that rebuild a client. */
export function setSingleton<T>(name: string, value: T | undefined): void {
  if (value === undefined) store().delete(name);
  else store().set(name, value);
}
