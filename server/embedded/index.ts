import fs from "node:fs/promises";
import path from "node:path";
import { MongoClient } from "mongodb";
import type { Env } from "~/utils/env.server.ts";
import { startMeilisearch, type EmbeddedMeili } from "./meilisearch.ts";
import { startMongod, type EmbeddedMongo } from "./mongod.ts";
import { EmbeddedError } from "./process.ts";
import { Supervisor } from "./supervisor.ts";

export { EmbeddedError } from "./process.ts";

export interface Services {
  mongoUri: string;
  meiliHost: string;
  meiliKey?: string;
  /** Which services this process started (and so must stop). */
  started: { mongo: boolean; meili: boolean };
  /** Set when another process of ours already runs the embedded services for this DATA_DIR. */
  attachedTo?: number;
  stop(): Promise<void>;
}

interface StateFile {
  pid: number;
  mongoUri?: string;
  meiliHost?: string;
  startedAt: string;
}

const stateFile = (dataDir: string) => path.join(dataDir, "services.json");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function readState(dataDir: string): Promise<StateFile | undefined> {
  try {
    const s = JSON.parse(await fs.readFile(stateFile(dataDir), "utf8")) as StateFile;
    return alive(s.pid) && s.pid !== process.pid ? s : undefined;
  } catch {
    return undefined;
  }
}

async function mongoAnswers(uri: string): Promise<boolean> {
  const c = new MongoClient(uri, { serverSelectionTimeoutMS: 1500 });
  try {
    await c.connect();
    await c.db("admin").command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await c.close().catch(() => {});
  }
}

/**
 * Resolves MongoDB and Meilisearch: external when MONGODB_URI / MEILI_HOST are set, otherwise the
 * embedded servers under DATA_DIR. `mode: "command"` (seed, token, reindex…) attaches to the
 * servers of a running app with the same DATA_DIR instead of starting a second pair.
 */
export async function startServices(
  e: Env,
  {
    mode = "app",
    onProgress,
    search = true,
  }: {
    mode?: "app" | "command";
    onProgress?: (msg: string) => void;
    /** false: a command that needs MongoDB only (backup) starts no Meilisearch of its own. */
    search?: boolean;
  } = {},
): Promise<Services> {
  const dataDir = path.resolve(e.DATA_DIR);
  const needMongo = !e.MONGODB_URI;
  const needMeili = !e.MEILI_HOST && search;
  const none = { mongo: false, meili: false };
  if (!needMongo && !needMeili) {
    return { mongoUri: e.MONGODB_URI!, meiliHost: e.MEILI_HOST ?? "", meiliKey: e.MEILI_MASTER_KEY, started: none, stop: async () => {} };
  }

  await fs.mkdir(dataDir, { recursive: true });
  const running = await readState(dataDir);
  if (running?.mongoUri && (await mongoAnswers(running.mongoUri))) {
    if (mode === "app") {
      throw new EmbeddedError(
        `Another chengguo process (pid ${running.pid}) already runs the embedded services for ${dataDir}. ` +
          `Stop it, or give this instance its own DATA_DIR, or point it at shared services with MONGODB_URI and MEILI_HOST.`,
      );
    }
    const key = e.MEILI_MASTER_KEY ?? (await fs.readFile(path.join(dataDir, "meili-master-key"), "utf8").catch(() => "")).trim();
    return {
      mongoUri: e.MONGODB_URI ?? running.mongoUri,
      meiliHost: e.MEILI_HOST ?? running.meiliHost ?? "",
      meiliKey: key || undefined,
      started: none,
      attachedTo: running.pid,
      stop: async () => {},
    };
  }

  const logDir = path.join(dataDir, "logs");
  onProgress?.(`starting embedded ${[needMongo && "MongoDB", needMeili && "Meilisearch"].filter(Boolean).join(" + ")} in ${dataDir}`);
  const mongoStart = () => startMongod({ dataDir, port: e.EMBEDDED_MONGO_PORT, logDir });
  const meiliStart = () => startMeilisearch({ dataDir, port: e.EMBEDDED_MEILI_PORT, logDir, masterKey: e.MEILI_MASTER_KEY });
  const [mongoR, meiliR] = await Promise.allSettled([
    needMongo ? mongoStart() : Promise.resolve(undefined),
    needMeili ? meiliStart() : Promise.resolve(undefined),
  ]);
  const mongo: EmbeddedMongo | undefined = mongoR.status === "fulfilled" ? mongoR.value : undefined;
  const meili: EmbeddedMeili | undefined = meiliR.status === "fulfilled" ? meiliR.value : undefined;
  const failed = [mongoR, meiliR].find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await Promise.all([mongo?.process.stop(), meili?.process.stop()]);
    throw failed.reason;
  }

  const state: StateFile = {
    pid: process.pid,
    mongoUri: mongo?.uri,
    meiliHost: meili?.host,
    startedAt: new Date().toISOString(),
  };
  await fs.writeFile(stateFile(dataDir), JSON.stringify(state, null, 2));

  // The app keeps what it started running: a server that dies is restarted (with back-off) on the
  // same port and data, so the app recovers without a restart of its own. Commands do not.
  const supervised =
    mode === "app"
      ? [
          mongo && new Supervisor("mongod", mongo.process, async () => (await mongoStart()).process),
          meili && new Supervisor("meilisearch", meili.process, async () => (await meiliStart()).process),
        ]
      : [];
  const stopProcesses = () =>
    mode === "app" ? Promise.all(supervised.map((s) => s?.stop())) : Promise.all([mongo?.process.stop(), meili?.process.stop()]);

  let stopped: Promise<void> | undefined;
  return {
    mongoUri: e.MONGODB_URI ?? mongo!.uri,
    meiliHost: e.MEILI_HOST ?? meili?.host ?? "",
    meiliKey: e.MEILI_MASTER_KEY ?? meili?.key,
    started: { mongo: !!mongo, meili: !!meili },
    stop() {
      stopped ??= (async () => {
        await stopProcesses();
        await fs.rm(stateFile(dataDir), { force: true });
      })();
      return stopped;
    },
  };
}
