import { MongoBulkWriteError, MongoNetworkError, MongoNotConnectedError, MongoServerError, MongoServerSelectionError } from "mongodb";
import { describe, expect, it } from "vitest";
import { isMongoUnavailable } from "~/services/kernel/mongo-errors.ts";
import { ConflictError, ServiceUnavailableError } from "~/utils/errors.ts";
import { errorResponse } from "~/web/actions.server.ts";
import { apiErrorResponse } from "~/web/api/envelope.server.ts";
import { asServiceUnavailable, serviceUnavailablePage } from "~/web/unavailable.server.ts";
import { restartDelayMs } from "../../server/embedded/supervisor.ts";

const selection = () => new MongoServerSelectionError("connect ECONNREFUSED 127.0.0.1:27017", {} as never);

describe("MongoDB unreachable → one 503 at the edge (issue 12, point 4)", () => {
  it("reads the driver's connection errors, a not-yet-primary node and mongoose's buffering error as unavailable", () => {
    expect(isMongoUnavailable(selection())).toBe(true);
    expect(isMongoUnavailable(new MongoNetworkError("connection 3 to 127.0.0.1:27017 closed"))).toBe(true);
    expect(isMongoUnavailable(new MongoNotConnectedError("client must be connected"))).toBe(true);
    expect(isMongoUnavailable(new MongoServerError({ code: 10107, errmsg: "not primary" }))).toBe(true);
    const buffering = Object.assign(new Error("Operation `users.findOne()` buffering timed out after 10000ms"), { name: "MongooseError" });
    expect(isMongoUnavailable(buffering)).toBe(true);
    expect(isMongoUnavailable(new Error("wrapped", { cause: selection() }))).toBe(true);
    // What a ledger posting's insertMany throws when mongod dies under it (found by the fault test).
    const cut = new MongoBulkWriteError(new MongoNetworkError("connection 48 to 127.0.0.1:46265 closed"), {} as never);
    expect(isMongoUnavailable(cut)).toBe(true);
    // Node's EPIPE from the driver's write on a socket mongod closed (found by the fault test: a page answered 500).
    const epipe = Object.assign(new Error("This socket has been ended by the other party"), {
      code: "EPIPE",
      stack:
        "Error: This socket has been ended by the other party\n    at Connection.writeCommand (/app/node_modules/mongodb/src/cmap/connection.ts:722:23)",
    });
    expect(isMongoUnavailable(epipe)).toBe(true);
  });

  it("leaves every other error alone", () => {
    expect(isMongoUnavailable(new MongoServerError({ code: 11000, errmsg: "E11000 duplicate key" }))).toBe(false);
    expect(isMongoUnavailable(new Error("boom"))).toBe(false);
    expect(isMongoUnavailable(new ConflictError())).toBe(false);
    expect(isMongoUnavailable(new MongoBulkWriteError(new MongoServerError({ code: 11000, errmsg: "E11000" }), {} as never))).toBe(false);
    expect(
      isMongoUnavailable(
        Object.assign(new Error("write EPIPE"), {
          code: "EPIPE",
          stack: "Error: write EPIPE\n    at afterWriteDispatched (node:internal/stream_base_commons:160:15)",
        }),
      ),
    ).toBe(false);
    expect(isMongoUnavailable(null)).toBe(false);
    expect(isMongoUnavailable("ECONNREFUSED")).toBe(false);
  });

  it("pages: a loader's error becomes 503 with Retry-After; the browser's page is Chinese first, English second", async () => {
    const res = errorResponse(selection());
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
    const page = serviceUnavailablePage(asServiceUnavailable(selection()));
    expect(page.status).toBe(503);
    expect(page.headers.get("Retry-After")).toBe(res.headers.get("Retry-After"));
    const html = await page.text();
    expect(html.indexOf("服务暂时不可用")).toBeGreaterThan(-1);
    expect(html.indexOf("Service temporarily unavailable")).toBeGreaterThan(html.indexOf("服务暂时不可用"));
    expect(html).not.toMatch(/<script|<style|<link/);
  });

  it("API: the envelope with code service_unavailable and Retry-After, for the driver's error and a service's own", async () => {
    for (const e of [selection(), new ServiceUnavailableError(7)]) {
      const res = apiErrorResponse(e);
      expect(res.status).toBe(503);
      expect(res.headers.get("Retry-After")).toBe(e instanceof ServiceUnavailableError ? "7" : "5");
      const body = await res.json();
      expect(body.error).toMatchObject({ status: 503, code: "service_unavailable" });
      expect(body.error.message).toMatch(/^数据库暂时无法连接.+ \/ The database cannot be reached/);
    }
  });
});

describe("embedded service supervisor back-off", () => {
  it("doubles from 1 s and stops at 30 s", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map(restartDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});
