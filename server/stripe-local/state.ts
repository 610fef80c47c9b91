import fs from "node:fs/promises";
import path from "node:path";
import { accountDefaults, chargeDefaults, intentDefaults, refundDefaults, sessionDefaults } from "./defaults.ts";
import type { State } from "./objects.ts";

/**
 * The server's state and its file: read once at start, written after every change — coalesced
 * (one write per 50 ms at most), atomic (temp file + rename) and one write at a time, so a crash
 * leaves either the old file or the new one, never half of one.
 */

export const MAX_EVENTS = 5000;
// The state file keeps fewer: it is rewritten after every change, and old events matter to nobody
// after a restart (the objects themselves are all kept).
const PERSISTED_EVENTS = 500;

export function emptyState(): State {
  return {
    version: 1,
    sessions: {},
    intents: {},
    charges: {},
    refunds: {},
    accounts: {},
    transfers: {},
    accountLinks: {},
    endpoints: {},
    events: [],
    idempotency: {},
  };
}

/** Objects written before the server filled in every field of Stripe's get the fixed ones (defaults.ts) now. */
function withDefaults(s: State): State {
  for (const rec of Object.values(s.sessions)) rec.session = { ...sessionDefaults(), ...rec.session };
  for (const [id, pi] of Object.entries(s.intents)) s.intents[id] = { ...intentDefaults(), ...pi };
  for (const [id, c] of Object.entries(s.charges)) {
    s.charges[id] = { ...chargeDefaults({ email: c.receipt_email, decline: c.status === "failed" ? c.failure_code : null }), ...c };
  }
  for (const [id, r] of Object.entries(s.refunds)) s.refunds[id] = { ...refundDefaults(null), ...r };
  for (const [id, a] of Object.entries(s.accounts)) s.accounts[id] = { ...accountDefaults(id, a.details_submitted ?? true), ...a };
  return s;
}

/** The state in `file`, or undefined on a first start. An unreadable file is moved aside (for a person to look at) and the server starts empty. */
export async function loadState(file: string, log: (m: string) => void): Promise<State | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    return undefined; // first start
  }
  try {
    const s = JSON.parse(text) as State;
    if (s.version !== 1) throw new Error(`unknown state version ${String(s.version)}`);
    // Files written before refunds and Connect lack those collections: they start empty.
    return withDefaults({ ...emptyState(), ...s });
  } catch (e) {
    // Keep the unreadable file for a person to look at instead of silently overwriting it.
    const aside = `${file}.unreadable-${Date.now()}`;
    await fs.rename(file, aside).catch(() => {});
    log(`could not read ${file} (${(e as Error).message}); moved it to ${aside} and started empty`);
    return undefined;
  }
}

export interface Persistence {
  /** A change happened: write soon. */
  save(): void;
  /** Write now (and wait for it), e.g. at close. */
  flush(): Promise<void>;
  /** Drop a pending coalesced write (close calls flush after). */
  cancel(): void;
}

/** Writes `state` to `file` (nothing at all without a file: the state then lives in memory only). */
export function persistence(state: State, file: string | undefined, log: (m: string) => void): Persistence {
  let saveTimer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    if (!file) return writing;
    const data = JSON.stringify({ ...state, events: state.events.slice(-PERSISTED_EVENTS) });
    writing = writing
      .then(async () => {
        await fs.mkdir(path.dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await fs.writeFile(tmp, data);
        await fs.rename(tmp, file);
      })
      .catch((e) => log(`could not write ${file}: ${(e as Error).message}`));
    return writing;
  };
  return {
    save() {
      if (!file || saveTimer) return;
      saveTimer = setTimeout(() => {
        saveTimer = undefined;
        void flush();
      }, 50);
    },
    flush,
    cancel() {
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = undefined;
    },
  };
}
