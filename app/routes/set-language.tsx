import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { LOCALE_COOKIE, LOCALES } from "~/utils/i18n.ts";
import { safeRedirect } from "~/web/auth.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";

const SetLanguageSchema = z.object({ lng: z.enum(LOCALES), redirectTo: z.string().optional() });

export async function loader() {
  return redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await readVerifiedForm(request);
  const parsed = SetLanguageSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    throw new Response("lng: must be zh-CN or en", { status: 400 });
  }
  return redirect(safeRedirect(parsed.data.redirectTo), {
    headers: {
      "Set-Cookie": `${LOCALE_COOKIE}=${encodeURIComponent(parsed.data.lng)}; Path=/; Max-Age=31536000; SameSite=Lax`,
    },
  });
}
