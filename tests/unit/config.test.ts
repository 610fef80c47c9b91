import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "~/utils/env.server.ts";
import { explainMongodFailure, sha256File, verifyMongod } from "../../server/embedded/mongod.ts";

describe("environment", () => {
  it("defaults to the embedded services on port 3000 with data in .data", () => {
    const e = parseEnv({});
    expect(e.PORT).toBe(3000);
    expect(e.DATA_DIR).toBe(".data");
    expect(e.MONGODB_URI).toBeUndefined();
    expect(e.MEILI_HOST).toBeUndefined();
  });

  it("lists every bad variable by name in one readable error", () => {
    try {
      parseEnv({ PORT: "eighty", MONGODB_URI: "postgres://x", MEILI_HOST: "http://search:7700", SESSION_SECRET: "short" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EnvError);
      const msg = (e as Error).message;
      expect(msg).toMatch(/PORT/);
      expect(msg).toMatch(/MONGODB_URI must start with mongodb:\/\//);
      expect(msg).toMatch(/MEILI_MASTER_KEY is required when MEILI_HOST is set/);
      expect(msg).toMatch(/SESSION_SECRET each secret must be at least 32 characters/);
    }
  });

  it("accepts several session secrets for rotation, newest first", () => {
    const [a, b] = ["n".repeat(32), "o".repeat(40)];
    expect(parseEnv({ SESSION_SECRET: `${a}, ${b}` }).SESSION_SECRET).toEqual([a, b]);
    expect(() => parseEnv({ SESSION_SECRET: `${a},short` })).toThrow(/SESSION_SECRET each secret/);
  });

  it("reads TRUST_PROXY as Express does: hop counts as numbers, true/false as booleans", () => {
    expect(parseEnv({}).TRUST_PROXY).toBe("loopback");
    expect(parseEnv({ TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
    expect(parseEnv({ TRUST_PROXY: "true" }).TRUST_PROXY).toBe(true);
  });

  it("treats empty variables as unset", () => {
    expect(parseEnv({ PORT: "", MONGODB_URI: "" }).PORT).toBe(3000);
  });
});

describe("embedded mongod checks", () => {
  it("refuses a binary whose sha256 is not the pinned one", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "cg-"));
    const fake = path.join(dir, "mongod");
    await fs.writeFile(fake, "#!/bin/sh\necho 'db version v8.2.6'\n", { mode: 0o755 });
    await expect(verifyMongod(fake)).rejects.toThrow(/sha256 .* expected 6a935df1.*Refusing to run it/);
  });

  it("explains a missing libcurl4 with the command that fixes it", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "cg-"));
    const fake = path.join(dir, "mongod");
    // What the dynamic loader prints when libcurl is absent.
    await fs.writeFile(
      fake,
      "#!/bin/sh\necho 'mongod: error while loading shared libraries: libcurl.so.4: cannot open shared object file: No such file or directory' >&2\nexit 127\n",
      { mode: 0o755 },
    );
    await expect(verifyMongod(fake, await sha256File(fake))).rejects.toThrow(/apt-get install -y libcurl4/);
    expect(explainMongodFailure("Illegal instruction").message).toMatch(/mongod cannot run here: Illegal instruction/);
  });
});
