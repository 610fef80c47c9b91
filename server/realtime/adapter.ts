import { createAdapter } from "@socket.io/mongo-adapter";
import type mongoose from "mongoose";
import { logger } from "~/utils/logger.server.ts";

/** The capped collection the socket.io adapter passes events through (docs/decisions/008). */
export const ADAPTER_COLLECTION = "socket_io_events";
const ADAPTER_COLLECTION_BYTES = 10 * 1024 * 1024;

/** Creates the adapter's capped collection once; another instance starting at the same time may win. */
async function ensureAdapterCollection(db: mongoose.mongo.Db): Promise<void> {
  const exists = await db.listCollections({ name: ADAPTER_COLLECTION }, { nameOnly: true }).hasNext();
  if (exists) return;
  try {
    await db.createCollection(ADAPTER_COLLECTION, { capped: true, size: ADAPTER_COLLECTION_BYTES });
  } catch (err) {
    if ((err as { code?: number }).code !== 48) throw err; // NamespaceExists: created meanwhile
  }
}

/**
 * The MongoDB adapter: what one instance broadcasts is inserted into a capped collection and
 * every other instance follows it with a change stream, so a deal-room event reaches members on
 * all instances and `fetchSockets()` (presence) sees them all. Three adjustments to the package:
 *
 * - Inserts wait until our capped collection exists (the adapter's first heartbeat would
 *   otherwise create an ordinary one).
 * - Inserts go out in the order they were made: the adapter fires one `insertOne` per event, and
 *   concurrent inserts reach the oplog — and so the other instances, and even this one's own
 *   sockets — in any order (a countered card after its counter). Here one ordered `insertMany` is
 *   in flight at a time, carrying everything queued meanwhile, which also batches under load.
 * - A failed insert is always handled: the adapter leaves the one in `fetchSockets` unhandled,
 *   which would take the process down on a database hiccup.
 */
export function mongoAdapter(db: mongoose.mongo.Db, isClosing: () => boolean) {
  type Doc = mongoose.mongo.OptionalId<mongoose.mongo.Document>;
  const collection = db.collection(ADAPTER_COLLECTION);
  const ready = ensureAdapterCollection(db).catch((err) => logger.error({ err }, `could not create the ${ADAPTER_COLLECTION} collection`));
  const queue: { doc: Doc; resolve: (r: { acknowledged: boolean; insertedId: unknown }) => void; reject: (e: unknown) => void }[] = [];
  let flushing = false;
  const flush = async () => {
    if (flushing) return;
    flushing = true;
    try {
      await ready;
      while (queue.length) {
        const batch = queue.splice(0, 500);
        try {
          const r = await collection.insertMany(
            batch.map((b) => b.doc),
            { ordered: true },
          );
          batch.forEach((b, i) => b.resolve({ acknowledged: true, insertedId: r.insertedIds[i] }));
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      flushing = false;
    }
  };
  const ordered = {
    watch: collection.watch.bind(collection),
    find: collection.find.bind(collection),
    findOne: collection.findOne.bind(collection),
    insertOne: (doc: Doc) =>
      new Promise((resolve, reject) => {
        queue.push({ doc, resolve, reject });
        void flush();
      }),
  } as unknown as mongoose.mongo.Collection;
  const factory = createAdapter(ordered, { addCreatedAtField: true, requestsTimeout: 3000 });
  // socket.io calls this with `new`, so a plain function (returning an object), not an arrow.
  return function adapterFor(nsp: unknown) {
    const adapter = factory(nsp) as unknown as { publish(doc: unknown): Promise<unknown> };
    const publish = adapter.publish.bind(adapter);
    adapter.publish = (doc) => {
      const p = publish(doc);
      p.catch((err) => {
        if (!isClosing()) logger.warn({ err: err instanceof Error ? err.message : String(err) }, "socket.io adapter could not publish");
      });
      return p;
    };
    return adapter;
  };
}
