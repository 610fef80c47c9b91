import mongoose from "mongoose";
import { serviceEndpoints } from "./env.server.ts";

/**
 * One mongoose connection per process. The Remix build and the Express server load their own
 * copies of app modules but share the mongoose package, so they share this connection too.
 */
export async function connectDb(uri: string = serviceEndpoints().mongoUri): Promise<typeof mongoose> {
  if (mongoose.connection.readyState === 1 || mongoose.connection.readyState === 2) {
    await mongoose.connection.asPromise();
    return mongoose;
  }
  mongoose.set("strictQuery", true);
  // A URI without a database path would land in "test"; use "chengguo" unless one is named.
  const named = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri)?.[1];
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 10_000, ...(named ? {} : { dbName: "chengguo" }) });
  return mongoose;
}

export async function disconnectDb(): Promise<void> {
  await mongoose.disconnect();
}
