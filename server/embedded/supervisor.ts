import { logger } from "~/utils/logger.server.ts";
import type { GuardedProcess } from "./process.ts";

/** What /healthz shows of one embedded service (server/health.ts). */
export interface SupervisedStatus {
  state: "up" | "restarting" | "stopped";
  pid: number;
  /** Restarts since the app started. */
  restarts: number;
  /** The last time the service died on its own: when, and its exit code (null: killed by a signal). */
  lastExit: { at: string; code: number | null } | null;
  /** When a restart is under way: when the next attempt starts. */
  nextAttemptAt?: string;
}

export const RESTART_BASE_MS = 1_000;
export const RESTART_MAX_MS = 30_000;
/** Up this long, the service counts as healthy again and the back-off starts over. */
const STABLE_MS = 60_000;

/** The delay before restart attempt `n` (0-based): 1 s, 2 s, 4 s … at most 30 s. */
export function restartDelayMs(attempt: number): number {
  return Math.min(RESTART_BASE_MS * 2 ** Math.min(attempt, 10), RESTART_MAX_MS);
}

const registry = new Map<string, Supervisor>();

/** Every supervised embedded service of this process, by name (for /healthz). */
export function supervisedServices(): Record<string, SupervisedStatus> {
  return Object.fromEntries([...registry].map(([name, s]) => [name, s.status()]));
}

/**
 * Keeps an embedded server running: when it exits on its own (crash, OOM, kill -9) it is started
 * again with the same settings, after an exponential back-off (1 s, 2 s, 4 s … capped at 30 s;
 * reset after a minute up). Each exit and restart is logged. Only embedded services are
 * supervised: external ones (MONGODB_URI, MEILI_HOST) are someone else's to run.
 */
export class Supervisor {
  private current: GuardedProcess;
  private state: SupervisedStatus["state"] = "up";
  private restarts = 0;
  private attempt = 0;
  private upSince = Date.now();
  private lastExit: SupervisedStatus["lastExit"] = null;
  private nextAttemptAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    readonly name: string,
    first: GuardedProcess,
    private readonly start: () => Promise<GuardedProcess>,
  ) {
    this.current = first;
    registry.set(name, this);
    this.watch(first);
  }

  status(): SupervisedStatus {
    return {
      state: this.state,
      pid: this.current.pid,
      restarts: this.restarts,
      lastExit: this.lastExit,
      ...(this.nextAttemptAt ? { nextAttemptAt: new Date(this.nextAttemptAt).toISOString() } : {}),
    };
  }

  private watch(proc: GuardedProcess) {
    void proc.exited.then((code) => {
      if (this.stopping || proc !== this.current) return;
      this.lastExit = { at: new Date().toISOString(), code };
      if (Date.now() - this.upSince >= STABLE_MS) this.attempt = 0;
      logger.warn({ service: this.name, code }, `embedded ${this.name} exited; restarting`);
      this.state = "restarting";
      this.schedule();
    });
  }

  private schedule() {
    const delay = restartDelayMs(this.attempt++);
    this.nextAttemptAt = Date.now() + delay;
    this.timer = setTimeout(() => void this.restart(), delay);
    this.timer.unref();
  }

  private async restart() {
    if (this.stopping) return;
    this.nextAttemptAt = undefined;
    let proc: GuardedProcess;
    try {
      proc = await this.start();
    } catch (err) {
      if (this.stopping) return;
      logger.error({ service: this.name, err: (err as Error).message }, `embedded ${this.name} did not restart; trying again`);
      this.schedule();
      return;
    }
    if (this.stopping) {
      await proc.stop();
      return;
    }
    this.current = proc;
    this.restarts++;
    this.upSince = Date.now();
    this.state = "up";
    logger.info({ service: this.name, restarts: this.restarts, pid: proc.pid }, `embedded ${this.name} restarted`);
    this.watch(proc);
  }

  /** Stops the service for good (the app is shutting down): no more restarts. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.state = "stopped";
    clearTimeout(this.timer);
    registry.delete(this.name);
    await this.current.stop();
  }
}
