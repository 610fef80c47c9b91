import pino from "pino";
import { singleton } from "./singleton.server.ts";

/**
 * One pino logger per process (survives dev rebuilds). Pretty when a person watches a terminal
 * (also for `npm start`), JSON lines when stdout goes to a service manager or a log shipper.
 */
export const logger: pino.Logger = singleton("logger", () =>
  pino({
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "warn" : "info"),
    base: undefined,
    transport: process.stdout.isTTY ? { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss" } } : undefined,
  }),
);
