import type { Actor } from "~/services/kernel/actor.ts";
import { actorOf } from "~/services/kernel/actor.ts";
import { getUser } from "../auth.server.ts";
import { requireApiUser, type ApiUser } from "./envelope.server.ts";

/** Who calls an API route, as the services' Actor. */

/** The caller if they sent credentials (cookie or personal token); public reads work without. */
export async function optionalApiActor(request: Request): Promise<Actor | null> {
  if (request.headers.get("Authorization")) return (await requireApiUser(request)).actor;
  return actorOf(await getUser(request));
}

/** A person acting through the API, with the email the payment page shows them. */
export function apiActor(u: ApiUser): Actor & { email: string } {
  return { ...u.actor, email: u.user.email };
}
