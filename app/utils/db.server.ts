import mongoose from "mongoose";
import { serviceEndpoints } from "./env.server.ts";
import { logger } from "./logger.server.ts";

/**
 * How long an operation waits for a reachable MongoDB before it fails. While MongoDB is down a
 * request then answers 503 within about a second (app/web/unavailable.server.ts) instead of
 * waiting; the driver keeps reconnecting in the background and the next request after MongoDB is
 * back simply works.
 */
export const SERVER_SELECTION_TIMEOUT_MS = 1_000;
/** How long the first connection at start-up may take (an external MongoDB still starting). */
const CONNECT_WITHIN_MS = 30_000;

/**
 * One mongoose connection per process. The Remix build and the Express server load their own
 * copies of app modules but share the mongoose package, so they share this connection too.
 *
 * Commands are not buffered: mongoose would otherwise queue every query while disconnected and
 * fail it only after 10 s (`bufferTimeoutMS`); here a query goes straight to the driver, which
 * fails it after SERVER_SELECTION_TIMEOUT_MS when no server answers.
 */
export async function connectDb(uri: string = serviceEndpoints().mongoUri): Promise<typeof mongoose> {
  if (mongoose.connection.readyState === 1 || mongoose.connection.readyState === 2) {
    await mongoose.connection.asPromise();
    return mongoose;
  }
  closing = false;
  mongoose.set("strictQuery", true);
  // A URI without a database path would land in "test"; use "chengguo" unless one is named.
  const named = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri)?.[1];
  const deadline = Date.now() + CONNECT_WITHIN_MS;
  for (;;) {
    try {
      await mongoose.connect(uri, {
        serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
        bufferCommands: false,
        ...(named ? {} : { dbName: "chengguo" }),
      });
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  watchConnection();
  return mongoose;
}

let watching = false;
let closing = false;
/** Says in the log when MongoDB goes away and comes back (the driver reconnects by itself). */
function watchConnection() {
  if (watching) return;
  watching = true;
  mongoose.connection.on("disconnected", () => closing || logger.warn("MongoDB connection lost; requests answer 503 until it is back"));
  mongoose.connection.on("reconnected", () => logger.info("MongoDB connection back"));
}

export async function disconnectDb(): Promise<void> {
  closing = true;
  await mongoose.disconnect();
}
