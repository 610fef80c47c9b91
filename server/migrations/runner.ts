import type { Db } from "mongodb";

/**
 * Data migrations: each one `{ id, description, up(db) }` works on the raw collections (never on
 * the app's models, which describe only today's shape) and is idempotent — it converts what is
 * still in the old shape and leaves the rest — so running it twice, or on two instances starting
 * at once, changes nothing the second time. Applied ids are recorded in the `migrations`
 * collection; `runMigrations` runs the ones not recorded yet, in order. Called at start-up
 * (server/main.ts) and by `npm run migrate` (server/cli/migrate.ts).
 */
export interface Migration {
  /** Sortable and stable: "001-deal-terms". */
  id: string;
  description: string;
  up(db: Db): Promise<void>;
}

export interface MigrationRecord {
  _id: string;
  description: string;
  appliedAt: Date;
}

export const MIGRATIONS_COLLECTION = "migrations";

/** The ids of the migrations not recorded as applied. */
export async function pendingMigrations(db: Db, migrations: readonly Migration[]): Promise<Migration[]> {
  const applied = await db
    .collection<MigrationRecord>(MIGRATIONS_COLLECTION)
    .find({}, { projection: { _id: 1 } })
    .toArray();
  const done = new Set(applied.map((m) => m._id));
  return migrations.filter((m) => !done.has(m.id));
}

/** Runs the pending migrations in order and records each; returns the ids it ran. */
export async function runMigrations(
  db: Db,
  migrations: readonly Migration[],
  log: (message: string) => void = () => {},
): Promise<string[]> {
  const ran: string[] = [];
  for (const m of await pendingMigrations(db, migrations)) {
    log(`migration ${m.id}: ${m.description}`);
    await m.up(db);
    // Another instance may have run it at the same moment: idempotent, so recording once is enough.
    await db
      .collection<MigrationRecord>(MIGRATIONS_COLLECTION)
      .updateOne({ _id: m.id }, { $setOnInsert: { description: m.description, appliedAt: new Date() } }, { upsert: true });
    ran.push(m.id);
  }
  return ran;
}
