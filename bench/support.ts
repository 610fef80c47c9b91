import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../server/embedded/process.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * A benchmark's own mongod and Meilisearch (embedded, on free ports) in a fresh folder under the
 * system's temp directory, and the app's service settings pointed at them. Imported late, like the
 * rest of a benchmark's app code, so that what the benchmark set in process.env first is read.
 */
export async function startBenchServices(name: string) {
  const { parseEnv, setServiceEndpoints } = await import("~/utils/env.server.ts");
  const { startServices } = await import("../server/embedded/index.ts");
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `chengguo-bench-${name}-`));
  console.error(`[bench] starting mongod + Meilisearch in ${dataDir}`);
  const services = await startServices(
    parseEnv({ DATA_DIR: dataDir, EMBEDDED_MONGO_PORT: String(await freePort()), EMBEDDED_MEILI_PORT: String(await freePort()) }),
  ).catch(async (e) => {
    await fs.rm(dataDir, { recursive: true, force: true });
    throw e;
  });
  setServiceEndpoints(services);
  return { dataDir, services };
}

/**
 * The real app for a benchmark, built like `npm start` (only if build/ is missing) and started
 * against the benchmark's own services; resolves once `/healthz` answers 200.
 */
export async function startBenchApp(opts: {
  dataDir: string;
  services: { mongoUri: string; meiliHost: string; meiliKey?: string };
  env?: Record<string, string | undefined>;
}): Promise<{ app: ChildProcess; base: string }> {
  try {
    await fs.access(path.join(ROOT, "build/index.js"));
  } catch {
    console.error("[bench] building the app (npm run build)");
    await new Promise<void>((resolve, reject) =>
      spawn("npx", ["remix", "build"], { cwd: ROOT, stdio: "inherit" }).once("exit", (c) =>
        c === 0 ? resolve() : reject(new Error(`build ${c}`)),
      ),
    );
  }
  const port = await freePort();
  const app = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: path.join(opts.dataDir, "app"),
      MONGODB_URI: opts.services.mongoUri,
      MEILI_HOST: opts.services.meiliHost,
      MEILI_MASTER_KEY: opts.services.meiliKey,
      EMBEDDED_STRIPE_PORT: String(await freePort()),
      EMBEDDED_MAIL_SMTP_PORT: String(await freePort()),
      EMBEDDED_MAIL_WEB_PORT: String(await freePort()),
      SEED_ON_EMPTY: "false",
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      ...opts.env,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (app.exitCode !== null) throw new Error(`the app exited with ${app.exitCode}`);
    const ok = await fetch(`${base}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (i > 360) throw new Error("the app did not become healthy");
    await new Promise((r) => setTimeout(r, 250));
  }
  return { app, base };
}
