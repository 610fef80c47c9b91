import type { NextFunction, Request, Response } from "express";
import { logger } from "~/utils/logger.server.ts";
import { requestIdFrom, runWithRequestId } from "~/utils/request-context.server.ts";

/**
 * Every request gets an id (docs/decisions/039-metrics-and-request-ids.md): a valid incoming
 * `X-Request-Id` (a proxy's, 8–64 of A–Z a–z 0–9 . _ : -) is kept, anything else is replaced by a
 * new one. It goes back in the response's `X-Request-Id`, into the Remix load context, and into
 * every log line written while the request is handled (AsyncLocalStorage; logger.server.ts).
 */
export function requestIds() {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = requestIdFrom(req.headers["x-request-id"]);
    res.locals.requestId = id;
    res.setHeader("X-Request-Id", id);
    runWithRequestId(id, next);
  };
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/**
 * The last handler of the Express chain: what failed outside Remix's own error handling is logged
 * and answered with a short bilingual page naming the request's id, never a stack trace.
 */
export function lastErrorHandler() {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    logger.error({ err, url: req.originalUrl }, "unhandled error in the HTTP chain");
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const id = escape(String(res.locals.requestId ?? ""));
    res
      .status(500)
      .set("Cache-Control", "no-store")
      .type("html")
      .send(
        `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>出错了 · Something went wrong</title></head><body><main>` +
          `<h1>出错了</h1><p>抱歉，服务器处理请求时出错。</p><h2 lang="en">Something went wrong</h2>` +
          `<p lang="en">Sorry, the server failed to handle the request.</p>` +
          `<p>错误编号 / Error reference: <code data-request-id>${id}</code></p></main></body></html>`,
      );
  };
}
