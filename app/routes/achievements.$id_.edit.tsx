import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { AchievementForm } from "~/components/listing-form/achievement-form.tsx";
import { PatentConflicts } from "~/components/listing/patent-conflicts.tsx";
import { AttachmentsSection } from "~/components/listing-form/attachments-section.tsx";
import { EditHeader, LockedNotice } from "~/components/listing-form/edit-page.tsx";
import styles from "~/components/listing-form/listing-form.css";
import listingStyles from "~/styles/listings.css";
import { attachmentErrors, mainFormReply, type ListingFormResult } from "~/components/listing-form/form-result.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { editPageData, handleListingFormAction } from "~/web/listing-forms.server.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "stylesheet", href: listingStyles },
]; // listings.css: the patent-number warning's callout
export const meta: MetaFunction = () => [{ title: "修改科技成果 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return json(await editPageData(request, "achievement", params.id!));
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
      <PatentConflicts conflicts={data.patentConflicts} audience="owner" />
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
