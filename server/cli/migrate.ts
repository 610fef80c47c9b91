import mongoose from "mongoose";
import { runCommand } from "../command.ts";
import { migrate } from "../migrations/index.ts";

/**
 * `npm run migrate` — runs the pending data migrations (server/migrations/) against the app's
 * database; the server also runs them at start-up. Each migration is idempotent, so running this
 * while the app runs, or twice, is safe.
 */
await runCommand("migrate", async () => {
  const ran = await migrate(mongoose.connection.db!, (m) => console.error(`[migrate] ${m}`));
  console.error(ran.length ? `[migrate] applied ${ran.join(", ")}` : "[migrate] nothing to do");
});
