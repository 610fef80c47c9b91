import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { ownCommissionerId } from "~/services/commissioners/queries.server.ts";
import { requireUser } from "~/web/auth.server.ts";

/** /my/commissioner — a 科技特派员 with an account: to their own registry entry, where they log their activity (issue 15, point 7). */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const id = await ownCommissionerId(user);
  if (!id) throw new Response("Not Found", { status: 404 });
  return redirect(`/bureau/commissioners/${id}`);
}
