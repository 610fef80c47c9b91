import type { Handler } from "./core.ts";
import { noSuch } from "./errors.ts";
import { allowOnly, clone, listOf, str } from "./params.ts";

/** GET /v1/events (newest first, by `type` or `types[]`) and GET /v1/events/:id: what Stripe keeps for 30 days, here the last few thousand. */

export const listEvents: Handler = (core, _ctx, params) => {
  allowOnly(params, ["type", "types", "limit", "starting_after", "ending_before", "created", "delivery_success", "expand"]);
  const type = str(params, "type");
  const types = Array.isArray(params.types) ? params.types.map(String) : undefined;
  const wanted = (t: string) => {
    if (type && !(type.endsWith(".*") ? t.startsWith(type.slice(0, -1)) : t === type)) return false;
    return !types || types.includes(t);
  };
  return {
    body: listOf(
      params,
      core.state.events.filter((e) => wanted(e.type)),
      "/v1/events",
    ),
  };
};

export const retrieveEvent: Handler = (core, _ctx, params, id) => {
  allowOnly(params, ["expand"]);
  const e = core.state.events.find((x) => x.id === id);
  if (!e) throw noSuch("event", id!, "id");
  return { body: clone(e) };
};
