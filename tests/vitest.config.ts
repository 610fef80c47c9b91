import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// Three projects: unit (pure code), integration (services against the real mongod and
// Meilisearch that globalSetup starts), e2e (the real server process, over HTTP and in Chromium).
export default defineConfig({
  root,
  resolve: { alias: { "~": path.join(root, "app") } },
  test: {
    // The machines have 2 cores; each integration file gets its own database anyway.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          globalSetup: ["tests/setup/services.global.ts"],
          setupFiles: ["tests/setup/database.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/setup/app.global.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One browser at a time: the app under test and Chromium share two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
