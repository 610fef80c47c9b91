import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { confirmDeposit } from "~/services/auctions.server.ts";
import { DomainError } from "~/utils/errors.ts";
import { requireUser } from "~/web/auth.server.ts";

/**
 * Where the payment page sends the buyer back. It does not trust the URL: it asks the gateway
 * about the buyer's OWN registration's payment (never a payment named in the URL), so nobody can
 * confirm or look at someone else's deposit, and the buyer need not wait for the webhook.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const id = params.id ?? "";
  try {
    const status = await confirmDeposit({ id: user.id, name: user.name, roles: user.roles, organization: user.organization }, id);
    return redirect(`/auctions/${id}?deposit=${status === "held" ? "held" : "pending"}`);
  } catch (e) {
    if (e instanceof DomainError && e.status === 404) throw new Response("Not Found", { status: 404 });
    if (e instanceof DomainError) return redirect(`/auctions/${id}`);
    throw e;
  }
}
