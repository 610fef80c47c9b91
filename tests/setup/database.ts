import { randomBytes } from "node:crypto";
import mongoose from "mongoose";
import { afterAll, beforeAll, inject } from "vitest";
import { setServiceEndpoints } from "../../app/utils/env.server.ts";

/**
 * Each test file gets its own database and Meilisearch index prefix on the shared real
 * servers, so files run in parallel without seeing each other's data.
 */
const id = randomBytes(4).toString("hex");
export const TEST_DB = `test_${id}`;
process.env.NODE_ENV = "test";
process.env.MEILI_INDEX_PREFIX = `t${id}_`;
process.env.DATA_DIR = `tests/.tmp/files-${id}`;
process.env.SESSION_SECRET = "test-secret-test-secret-test-secret-1234";

beforeAll(async () => {
  setServiceEndpoints({ mongoUri: inject("mongoUri"), meiliHost: inject("meiliHost"), meiliKey: inject("meiliKey") });
  await mongoose.connect(inject("mongoUri"), { dbName: TEST_DB });
  await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
});

afterAll(async () => {
  await mongoose.connection.dropDatabase().catch(() => {});
  await mongoose.disconnect();
});
