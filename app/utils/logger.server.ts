import pino from "pino";
import { currentRequestId } from "./request-context.server.ts";
import { singleton } from "./singleton.server.ts";

/**
 * One pino logger per process (survives dev rebuilds). Pretty when a person watches a terminal
 * (also for `npm start`), JSON lines when stdout goes to a service manager or a log shipper.
 * Every line written while a request or socket event is handled carries its id as `reqId`
 * (request-context.server.ts), the id its error page shows.
 */
export const logger: pino.Logger = singleton("logger", () =>
  pino({
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "warn" : "info"),
    base: undefined,
    mixin: () => {
      const reqId = currentRequestId();
      return reqId ? { reqId } : {};
    },
    transport: process.stdout.isTTY ? { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss" } } : undefined,
  }),
);
