import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { setPreferredLocale } from "~/services/accounts/locale.server.ts";
import { LOCALE_COOKIE, LOCALES } from "~/utils/i18n.ts";
import { getUser, safeRedirect } from "~/web/auth.server.ts";
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
  // Signed in: their emails follow the language too.
  const user = await getUser(request);
  if (user) await setPreferredLocale(user.id, parsed.data.lng);
  return redirect(safeRedirect(parsed.data.redirectTo), {
    headers: {
      "Set-Cookie": `${LOCALE_COOKIE}=${encodeURIComponent(parsed.data.lng)}; Path=/; Max-Age=31536000; SameSite=Lax`,
    },
  });
}
