import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DemandForm } from "~/components/listing-form/demand-form.tsx";
import { AttachmentsSection } from "~/components/listing-form/attachments-section.tsx";
import { EditHeader, LockedNotice } from "~/components/listing-form/edit-page.tsx";
import styles from "~/components/listing-form/listing-form.css";
import { attachmentErrors, mainFormReply, type ListingFormResult } from "~/components/listing-form/form-result.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { editPageData, handleListingFormAction } from "~/web/listing-forms.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "修改技术需求 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return json(await editPageData(request, "demand", params.id!));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "demand:create");
  return handleListingFormAction({ request, user, kind: "demand", id: params.id! });
}

export default function EditDemandPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData() as ListingFormResult | undefined;
  const { t } = useTranslation();
  const { item } = data;
  return (
    <div className="listing-form-page">
      <EditHeader title={t("listingForm.editDemandTitle")} item={item} notice={data.notice} reason={data.reason} />
      {data.editable ? (
        <>
          <DemandForm
            id="demand-form"
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
        <LockedNotice kind="demand" status={item.status} detailPath={item.detailPath} />
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
