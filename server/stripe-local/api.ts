import type http from "node:http";
import qs from "qs";
import { createSession, expireSessionRoute, retrieveSession } from "./checkout.ts";
import {
  createAccount,
  createAccountLink,
  createReversal,
  createTransfer,
  listAccounts,
  listReversals,
  listTransfers,
  retrieveAccount,
  retrieveBalance,
  retrieveReversal,
  retrieveTransfer,
} from "./connect.ts";
import { listEvents, retrieveEvent } from "./events-api.ts";
import type { Core, Handler } from "./core.ts";
import { ApiError } from "./errors.ts";
import { fingerprintOf, priorOf, prune, remember } from "./idempotency.ts";
import type { Ctx, Json, RequestLogEntry } from "./objects.ts";
import { randomId } from "./params.ts";
import { cancelIntent, captureIntent, confirmIntentRoute, createIntent, retrieveIntent } from "./payment-intents.ts";
import { createRefund, listRefunds, retrieveCharge, retrieveRefund, updateRefund } from "./refunds.ts";
import { createEndpoint, deleteEndpoint, listEndpoints, retrieveEndpoint } from "./webhook-endpoints.ts";

/**
 * The /v1 API: authentication (Bearer or Basic with any sk_test_/rk_test_ key, 401 otherwise),
 * parameters from the query string and the form body, idempotency keys, the routes, Stripe's
 * error envelope, and the request log. Events a request caused go out after its answer.
 */

const MAX_REQUEST_LOG = 5000;

const routes: Array<[string, RegExp, Handler]> = [
  ["POST", /^\/v1\/checkout\/sessions$/, createSession],
  ["GET", /^\/v1\/checkout\/sessions\/([^/]+)$/, retrieveSession],
  ["POST", /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/, expireSessionRoute],
  ["POST", /^\/v1\/payment_intents$/, createIntent],
  ["GET", /^\/v1\/payment_intents\/([^/]+)$/, retrieveIntent],
  ["POST", /^\/v1\/payment_intents\/([^/]+)\/confirm$/, confirmIntentRoute],
  ["POST", /^\/v1\/payment_intents\/([^/]+)\/capture$/, captureIntent],
  ["POST", /^\/v1\/payment_intents\/([^/]+)\/cancel$/, cancelIntent],
  ["GET", /^\/v1\/charges\/([^/]+)$/, retrieveCharge],
  ["POST", /^\/v1\/refunds$/, createRefund],
  ["GET", /^\/v1\/refunds$/, listRefunds],
  ["GET", /^\/v1\/refunds\/([^/]+)$/, retrieveRefund],
  ["POST", /^\/v1\/refunds\/([^/]+)$/, updateRefund],
  ["POST", /^\/v1\/accounts$/, createAccount],
  ["GET", /^\/v1\/accounts$/, listAccounts],
  ["GET", /^\/v1\/accounts\/([^/]+)$/, retrieveAccount],
  ["POST", /^\/v1\/account_links$/, createAccountLink],
  ["POST", /^\/v1\/transfers$/, createTransfer],
  ["GET", /^\/v1\/transfers$/, listTransfers],
  ["GET", /^\/v1\/transfers\/([^/]+)$/, retrieveTransfer],
  ["POST", /^\/v1\/transfers\/([^/]+)\/reversals$/, createReversal],
  ["GET", /^\/v1\/transfers\/([^/]+)\/reversals$/, listReversals],
  ["GET", /^\/v1\/transfers\/([^/]+\/reversals\/[^/]+)$/, retrieveReversal],
  ["GET", /^\/v1\/events$/, listEvents],
  ["GET", /^\/v1\/events\/([^/]+)$/, retrieveEvent],
  ["GET", /^\/v1\/balance$/, retrieveBalance],
  ["POST", /^\/v1\/webhook_endpoints$/, createEndpoint],
  ["GET", /^\/v1\/webhook_endpoints$/, listEndpoints],
  ["GET", /^\/v1\/webhook_endpoints\/([^/]+)$/, retrieveEndpoint],
  ["DELETE", /^\/v1\/webhook_endpoints\/([^/]+)$/, deleteEndpoint],
];

/** The key a request authenticates with, or null. Stripe accepts Bearer and Basic (key as user). */
function apiKeyOf(req: http.IncomingMessage): { key: string | null; given: string | null } {
  const h = req.headers.authorization;
  if (!h) return { key: null, given: null };
  let key: string | null = null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(h);
  const basic = /^Basic\s+(\S+)$/i.exec(h);
  if (bearer) key = bearer[1]!;
  else if (basic) key = Buffer.from(basic[1]!, "base64").toString("utf8").split(":")[0] ?? null;
  if (key && /^(sk|rk)_test_\w+$/.test(key)) return { key, given: key };
  return { key: null, given: key ?? h };
}

export function api(core: Core, opts: { apiVersion: string; log: (m: string) => void }) {
  const requests: RequestLogEntry[] = [];

  function handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL, rawBody: string) {
    const method = req.method ?? "GET";
    const requestId = randomId("req_", 14);
    const idemHeader = req.headers["idempotency-key"];
    const idempotencyKey = method === "POST" && typeof idemHeader === "string" && idemHeader ? idemHeader : null;
    const stripeVersion = typeof req.headers["stripe-version"] === "string" ? req.headers["stripe-version"] : opts.apiVersion;
    const ctx: Ctx = { requestId, idempotencyKey, apiVersion: stripeVersion, emitted: [] };
    const send = (status: number, body: string, extra: Record<string, string> = {}, replayed = false) => {
      res.writeHead(status, {
        "Content-Type": "application/json",
        "Request-Id": requestId,
        "Stripe-Version": stripeVersion,
        ...(idempotencyKey ? { "Idempotency-Key": idempotencyKey } : {}),
        ...extra,
      });
      res.end(body);
      requests.push({ at: new Date().toISOString(), method, path: url.pathname, idempotencyKey, status, replayed, requestId });
      if (requests.length > MAX_REQUEST_LOG) requests.splice(0, requests.length - MAX_REQUEST_LOG);
    };
    const sendError = (e: ApiError) => send(e.status, JSON.stringify({ error: { ...e.error, request_log_url: null } }, null, 2));

    const auth = apiKeyOf(req);
    if (!auth.key) {
      return sendError(
        new ApiError(401, {
          type: "invalid_request_error",
          message: auth.given
            ? `Invalid API Key provided: ${auth.given.slice(0, 8)}${"*".repeat(Math.max(auth.given.length - 12, 4))}${auth.given.slice(-4)}`
            : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        }),
      );
    }

    // Stripe reads parameters from the query string and the form body alike.
    const params = {
      ...(qs.parse(url.search.slice(1), { depth: 10, arrayLimit: 1000 }) as Json),
      ...(rawBody ? (qs.parse(rawBody, { depth: 10, arrayLimit: 1000 }) as Json) : {}),
    };

    let scope: string | null = null;
    let fingerprint = "";
    if (idempotencyKey) {
      prune(core.state);
      scope = `${auth.key}|${idempotencyKey}`;
      fingerprint = fingerprintOf(params);
      const prior = priorOf(core.state, scope, method, url.pathname, fingerprint);
      if (prior.kind === "other-endpoint") {
        return sendError(
          new ApiError(400, {
            type: "idempotency_error",
            message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${prior.record.method} ${prior.record.path}' vs '${method} ${url.pathname}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          }),
        );
      }
      if (prior.kind === "other-params") {
        return sendError(
          new ApiError(400, {
            type: "idempotency_error",
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          }),
        );
      }
      if (prior.kind === "replay") {
        return send(prior.record.status, prior.record.body, { "Idempotent-Replayed": "true", "Original-Request": requestId }, true);
      }
    }

    const route = routes.find(([m, re]) => m === method && re.test(url.pathname));
    let status: number;
    let body: string;
    let store = true;
    try {
      if (!route) {
        throw new ApiError(
          404,
          {
            type: "invalid_request_error",
            message: `Unrecognized request URL (${method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
          },
          false,
        );
      }
      const id = route[1].exec(url.pathname)![1];
      const out = route[2](core, ctx, params, id ? decodeURIComponent(id) : undefined);
      status = out.status ?? 200;
      body = JSON.stringify(out.body, null, 2);
    } catch (e) {
      let err: ApiError;
      if (e instanceof ApiError) err = e;
      else {
        opts.log(`internal error on ${method} ${url.pathname}: ${(e as Error).stack}`);
        err = new ApiError(500, { type: "api_error", message: "An unknown error occurred" }, false);
      }
      status = err.status;
      store = err.storeIdempotent;
      body = JSON.stringify({ error: { ...err.error, request_log_url: null } }, null, 2);
    }
    if (scope && store) remember(core.state, scope, { method, path: url.pathname, fingerprint, status, body });
    send(status, body);
    if (method !== "GET" || ctx.emitted.length) core.save();
    // Webhooks go out after the API answered, like Stripe's (the caller never waits for them).
    if (ctx.emitted.length) setImmediate(() => core.events.dispatch(ctx.emitted));
  }

  return { handle, requests };
}
