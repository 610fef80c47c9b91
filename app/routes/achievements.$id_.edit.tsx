import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { AchievementForm } from "~/components/listing-form/achievement-form.tsx";
import { AttachmentsSection } from "~/components/listing-form/attachments-section.tsx";
import { EditHeader, LockedNotice } from "~/components/listing-form/edit-page.tsx";
import styles from "~/components/listing-form/listing-form.css";
import { attachmentErrors, mainFormReply, type ListingFormResult } from "~/components/listing-form/form-result.ts";
import {
  countyTowns,
  detailPath,
  handleListingFormAction,
  loadOwnListing,
  noticeReason,
  regionOptions,
} from "~/web/listing-forms.server.ts";
import { achievementFormDefaults, regionDefaults } from "~/schemas/listing-form.ts";
import type { AchievementView } from "~/services/listings/views.ts";
import { MAX_ATTACHMENTS_PER_ITEM } from "~/services/files/file-types.ts";
import { EDITABLE_STATUSES } from "~/utils/listing-workflow.ts";
import { requirePermission } from "~/web/auth.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "修改科技成果 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "achievement:create");
  const { item } = await loadOwnListing(user, "achievement", params.id!);
  const a = item as AchievementView;
  const url = new URL(request.url);
  return json({
    item: {
      id: a.id,
      title: a.title,
      status: a.status,
      rejectionReason: a.rejectionReason,
      attachments: a.attachments,
      detailPath: detailPath("achievement", a.id),
    },
    editable: EDITABLE_STATUSES.includes(a.status),
    defaults: achievementFormDefaults(a),
    regions: regionOptions(),
    // `?county=` also serves the town picker's requests for another county's towns.
    towns: countyTowns(url.searchParams.get("county") ?? regionDefaults(a.region).region),
    maxAttachments: MAX_ATTACHMENTS_PER_ITEM,
    notice: url.searchParams.get("notice"),
    reason: noticeReason(url.searchParams.get("reason")),
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "achievement:create");
  return handleListingFormAction({ request, user, kind: "achievement", id: params.id! });
}

export default function EditAchievementPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData() as ListingFormResult | undefined;
  const { t } = useTranslation();
  const { item } = data;
  return (
    <div className="listing-form-page">
      <EditHeader title={t("listingForm.editAchievementTitle")} item={item} notice={data.notice} reason={data.reason} />
      {data.editable ? (
        <>
          <AchievementForm
            id="achievement-form"
            lastResult={mainFormReply(actionData)}
            defaultValue={data.defaults}
            regions={data.regions}
            towns={actionData?.towns ?? data.towns}
            cancelTo={item.detailPath}
          />
          <AttachmentsSection
            attachments={item.attachments}
            max={data.maxAttachments}
            errors={attachmentErrors(actionData)}
            notice={data.notice}
          />
        </>
      ) : (
        <LockedNotice kind="achievement" status={item.status} detailPath={item.detailPath} />
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
