import fs from "node:fs/promises";
import path from "node:path";
import mongoose from "mongoose";
import { afterAll, beforeAll, inject } from "vitest";
import { User } from "~/models/user.server.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";

/**
 * For e2e files that prepare or check state in the app's own database (the one the e2e global
 * setup's server uses): connects mongoose to it for the file, and reads demo users by email.
 */
export function useAppDatabase() {
  beforeAll(async () => {
    const { mongoUri } = JSON.parse(await fs.readFile(path.join(inject("appDataDir"), "services.json"), "utf8"));
    await mongoose.connect(mongoUri, { dbName: "chengguo" });
  });
  afterAll(async () => {
    await mongoose.disconnect();
  });
  const demoUser = async (email: string): Promise<SessionUser> =>
    (await getSessionUserById(String((await User.findOne({ email }).lean())!._id)))!;
  return { demoUser };
}
