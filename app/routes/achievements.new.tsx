import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { AchievementForm } from "~/components/listing-form/achievement-form.tsx";
import styles from "~/components/listing-form/listing-form.css";
import { mainFormReply, type ListingFormResult } from "~/components/listing-form/form-result.ts";
import { countyTowns, handleListingFormAction, knownCounty, regionOptions } from "~/web/listing-forms.server.ts";
import { newAchievementDefaults } from "~/schemas/listing-form.ts";
import { requirePermission } from "~/web/auth.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "发布科技成果 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "achievement:create");
  // `?county=` also serves the town picker's requests for another county's towns.
  const county = knownCounty(new URL(request.url).searchParams.get("county"));
  return json({ regions: regionOptions(), towns: countyTowns(county), defaults: newAchievementDefaults(county) });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "achievement:create");
  return handleListingFormAction({ request, user, kind: "achievement" });
}

export default function NewAchievementPage() {
  const { regions, towns, defaults } = useLoaderData<typeof loader>();
  const actionData = useActionData() as ListingFormResult | undefined;
  const { t } = useTranslation();
  return (
    <div className="listing-form-page">
      <h1>{t("listingForm.newAchievementTitle")}</h1>
      <p className="muted">{t("listingForm.newAchievementIntro")}</p>
      <AchievementForm
        id="achievement-form"
        lastResult={mainFormReply(actionData)}
        defaultValue={defaults}
        regions={regions}
        towns={actionData?.towns ?? towns}
        cancelTo="/my/achievements"
      />
      <p className="muted">{t("listingForm.attachments.afterSave")}</p>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
