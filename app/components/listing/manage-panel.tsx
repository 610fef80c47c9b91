import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import type { ListingKind } from "~/schemas/listing.ts";
import type { ListingAction } from "~/utils/listing-workflow.ts";
import { WorkflowActions } from "./action-forms.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import { FormError } from "./messages.tsx";

/**
 * The owner's and reviewers' controls on a detail page: the workflow buttons the server offers,
 * 编辑 while the item is editable, and the admin's 推荐 toggle. Renders nothing for others.
 */
export function ManagePanel({
  kind,
  id,
  actions,
  canEdit,
  canFeature,
  featured,
  result,
}: {
  kind: ListingKind;
  id: string;
  actions: readonly ListingAction[];
  canEdit: boolean;
  canFeature: boolean;
  featured: boolean;
  result?: ActionResult | null;
}) {
  const { t } = useTranslation();
  if (!actions.length && !canEdit && !canFeature) return null;
  const featureFailure = resultFor(result, "feature");
  return (
    <section className="manage-panel" aria-labelledby="manage-title">
      <h2 id="manage-title">{t("detail.actionsTitle")}</h2>
      {canEdit ? (
        <p>
          <Link to={`/${kind}s/${id}/edit`} className="button button--ghost" data-testid="edit-link">
            {t("detail.edit")}
          </Link>
        </p>
      ) : null}
      <WorkflowActions actions={actions} result={result} idPrefix="detail" />
      {canFeature ? (
        <Form method="post" preventScrollReset className="feature-form">
          <AuthenticityTokenInput />
          <input type="hidden" name="intent" value="feature" />
          <input type="hidden" name="featured" value={featured ? "false" : "true"} />
          <FormError message={featureFailure?.formError} />
          <button type="submit" className="button button--ghost" data-testid="feature-toggle">
            {featured ? t("detail.unfeature") : t("detail.feature")}
          </button>
        </Form>
      ) : null}
    </section>
  );
}
