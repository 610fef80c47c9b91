import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const guardPath = path.join(path.dirname(fileURLToPath(import.meta.url)), "guard.cjs");

/** A start-up problem a person can fix; printed as a sentence, never as a stack trace. */
export class EmbeddedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmbeddedError";
  }
}

export interface GuardedProcess {
  name: string;
  pid: number;
  /** Resolves with the exit code when the guarded server has exited. */
  exited: Promise<number | null>;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts `command` under guard.cjs in its own process group: Ctrl-C in the terminal reaches only
 * the app, which then shuts the servers down in order; if the app dies, the guard stops them.
 */
export function spawnGuarded(name: string, command: string, args: string[], logFile: string): GuardedProcess {
  const child: ChildProcess = spawn(process.execPath, [guardPath, String(process.pid), logFile, command, ...args], {
    detached: true,
    stdio: ["ignore", "ignore", "inherit"],
  });
  child.unref();
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
  });
  return {
    name,
    pid: child.pid ?? -1,
    exited,
    async stop(timeoutMs = 25_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Throws a readable error when something already listens on the port. */
export async function assertPortFree(port: number, what: string, envName: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") {
        reject(
          new EmbeddedError(
            `Port ${port} is already in use, so the embedded ${what} cannot start there. ` +
              `Stop whatever listens on ${port}, or set ${envName} to a free port` +
              (what === "MongoDB"
                ? ", or set MONGODB_URI to use that server instead."
                : ", or set MEILI_HOST and MEILI_MASTER_KEY to use that server instead."),
          ),
        );
      } else reject(err);
    });
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve()));
  });
}

/** A port the OS says is free right now (tests and tools that start their own servers). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  {
    timeoutMs = 60_000,
    intervalMs = 200,
    exited,
    hint = "",
  }: { timeoutMs?: number; intervalMs?: number; exited?: Promise<unknown>; hint?: string } = {},
): Promise<T> {
  let dead = false;
  exited?.then(() => (dead = true));
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (dead) throw new EmbeddedError(`${what} exited during start-up${hint ? ` (${hint})` : ""}`);
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new EmbeddedError(
    `${what} did not become ready within ${timeoutMs / 1000}s${lastError ? `: ${(lastError as Error).message}` : ""}${hint ? ` (${hint})` : ""}`,
  );
}
