import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { endSession } from "~/services/accounts/accounts.server.ts";
import { sessionStorage } from "~/utils/session.server.ts";
import { getSessionId } from "~/web/auth.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";

export async function loader() {
  return redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  await readVerifiedForm(request);
  const sessionId = await getSessionId(request);
  if (sessionId) await endSession(sessionId);
  const storage = sessionStorage();
  const session = await storage.getSession(request.headers.get("Cookie"));
  return redirect("/?loggedOut=1", { headers: { "Set-Cookie": await storage.destroySession(session) } });
}
