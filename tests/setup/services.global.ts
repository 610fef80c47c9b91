import fs from "node:fs/promises";
import type { TestProject } from "vitest/node";
import { startServices } from "../../server/embedded/index.ts";
import { freePort } from "../../server/embedded/process.ts";
import { parseEnv } from "../../app/utils/env.server.ts";
import { tmpDir } from "./tmp.ts";

declare module "vitest" {
  export interface ProvidedContext {
    mongoUri: string;
    meiliHost: string;
    meiliKey: string;
  }
}

/** Starts the real mongod (replica set) and Meilisearch once for the integration project. */
export default async function setup(project: TestProject) {
  const dataDir = await tmpDir("integration");
  const services = await startServices(
    parseEnv({
      DATA_DIR: dataDir,
      EMBEDDED_MONGO_PORT: String(await freePort()),
      EMBEDDED_MEILI_PORT: String(await freePort()),
    }),
  );
  project.provide("mongoUri", services.mongoUri);
  project.provide("meiliHost", services.meiliHost);
  project.provide("meiliKey", services.meiliKey!);
  return async () => {
    await services.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
}
