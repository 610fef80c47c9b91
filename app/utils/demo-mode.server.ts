import { peekSingleton, setSingleton } from "./singleton.server.ts";

/**
 * Demo mode: the process runs on the MongoDB it started itself (the embedded one, no MONGODB_URI)
 * and loads the demo data into it when empty — the `npm start` walkthrough. Only then may pages
 * mention the demo accounts; with an external database (a real deployment) they never do.
 * Set once by server/main.ts after the services are resolved; off until then (tests, commands).
 */
export function setDemoMode(on: boolean): void {
  setSingleton("demoMode", on || undefined);
}

export function isDemoMode(): boolean {
  return peekSingleton<boolean>("demoMode") === true;
}
