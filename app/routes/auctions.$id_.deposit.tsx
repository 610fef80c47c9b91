import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { actorOf } from "~/services/kernel/actor.ts";
import { confirmDeposit } from "~/services/trading/auctions/registration.server.ts";
import { loadOrThrow } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";

/**
 * Where the payment page sends the buyer back. It does not trust the URL: it asks the gateway
 * about the buyer's OWN registration's payment (never a payment named in the URL), so nobody can
 * confirm or look at someone else's deposit, and the buyer need not wait for the webhook. An
 * auction that does not exist is the 404 page; any other refusal (not registered, the gateway
 * down) goes back to the auction, which shows where the deposit stands.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const id = params.id ?? "";
  const status = await loadOrThrow(confirmDeposit(actorOf(user), id)).catch((e: unknown) => {
    if (e instanceof Response && e.status !== 404) return null;
    throw e;
  });
  if (status === null) return redirect(`/auctions/${id}`);
  return redirect(`/auctions/${id}?deposit=${status === "held" ? "held" : "pending"}`);
}
