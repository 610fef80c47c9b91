import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { objectIdString } from "~/schemas/ids.ts";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { openRoom } from "~/services/rooms/open.server.ts";
import { loadOrThrow } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";

/**
 * POST /rooms/new — opens (or finds) the deal room for a listing and a buyer, from a listing
 * page, a match, an offer or a deal, and goes there. The entry points are small forms on those
 * pages; a GET has nothing to show and goes to the room list. A refusal (not a buyer, one's own
 * listing, nothing to see) is shown by this route's error page with the reason.
 */

export async function loader() {
  return redirect("/rooms");
}

const id = objectIdString();
const OpenRoomSchema = z.discriminatedUnion("from", [
  z.object({ from: z.literal("listing"), listingId: id }),
  z.object({ from: z.literal("match"), listingId: id, demandId: id }),
  z.object({ from: z.literal("offer"), offerId: id }),
  z.object({ from: z.literal("deal"), dealId: id }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readVerifiedForm(request);
  const parsed = OpenRoomSchema.safeParse(Object.fromEntries([...form].filter(([, v]) => typeof v === "string")));
  // These forms are hidden fields on other pages: the answer names the first one that is wrong.
  if (!parsed.success) throw new Response(`${parsed.error.issues[0]?.path.join(".") || "from"}: errors.invalidInput`, { status: 400 });
  // A refusal is this route's error page, with the reason (below).
  const roomId = await loadOrThrow(openRoom(user, parsed.data));
  return redirect(`/rooms/${roomId}#latest`);
}

export default function NewRoom() {
  return null;
}

/** Why the room could not be opened, in the reader's language. */
export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  if (isRouteErrorResponse(error) && typeof error.data === "string" && /^rooms\.errors\.\w+$/.test(error.data)) {
    return (
      <section className="error-page" role="alert" data-testid="room-open-error">
        <p className="error-status">{error.status}</p>
        <h1>{t("rooms.open.failedTitle")}</h1>
        <p>{t(error.data)}</p>
        <Link to="/rooms" className="button">
          {t("rooms.page.backToList")}
        </Link>
      </section>
    );
  }
  return <GeneralErrorBoundary />;
}
