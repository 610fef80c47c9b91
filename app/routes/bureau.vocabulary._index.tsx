import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import formStyles from "~/components/listing-form/listing-form.css";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { GroupForm } from "~/components/vocabulary/group-form.tsx";
import { IndexState } from "~/components/vocabulary/index-state.tsx";
import vocabularyStyles from "~/components/vocabulary/vocabulary.css";
import { resultFor } from "~/schemas/action-result.ts";
import { VOCABULARY_GROUP_FORM_FIELDS } from "~/schemas/vocabulary.ts";
import { createVocabularyGroup } from "~/services/vocabulary/groups.server.ts";
import { listVocabularyGroups, VOCABULARY_LIST_LIMIT } from "~/services/vocabulary/queries.server.ts";
import listingStyles from "~/styles/listings.css";
import { FIELDS } from "~/utils/taxonomy.ts";
import { attempt, loadOrThrow, redirectDone, type ActionFailure } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/**
 * /bureau/vocabulary — the live matching vocabulary (issue 16, point 4): the groups by field with
 * a word filter, the index state, adding a group; each group's page changes, merges, retires and
 * restores it. For bureau users, brokers and admins ("vocabulary:edit").
 */
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: "匹配词表 · 成果" },
  // Without JavaScript the page looks again by itself until the index update is live.
  ...(data && data.index.state !== "live" ? [{ httpEquiv: "refresh", content: "3" } as const] : []),
];
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: formStyles },
  { rel: "stylesheet", href: vocabularyStyles },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "vocabulary:edit");
  const params = Object.fromEntries(new URL(request.url).searchParams);
  return json(await loadOrThrow(listVocabularyGroups(user, params)));
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "vocabulary:edit");
  const form = await readVerifiedForm(request);
  const values = formValues(form);
  return attempt(
    { intent: "create", values: formValues(form, VOCABULARY_GROUP_FORM_FIELDS) },
    () => createVocabularyGroup(user, values),
    (id) => redirectDone(`/bureau/vocabulary/${id}`, "created"),
  );
}

export default function VocabularyPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<ActionFailure>();
  const { t } = useTranslation();
  const create = resultFor(result, "create");
  return (
    <div className="vocabulary-desk" data-testid="vocabulary-page">
      <h1>{t("vocabulary.title")}</h1>
      <p className="muted">{t("vocabulary.intro")}</p>
      <p>
        <IndexState index={data.index} />
      </p>
      <p>
        <Link to="/bureau/vocabulary/proposals" data-testid="proposals-link">
          {t("vocabulary.links.proposals")}
        </Link>
        {" · "}
        <Link to="/bureau/vocabulary/weak" data-testid="weak-link">
          {t("vocabulary.links.weak")}
        </Link>
      </p>
      <DoneNotice ns="vocabulary" />

      <Form method="get" className="vocabulary-filter" data-testid="vocabulary-filter">
        <label>
          {t("vocabulary.filter.q")}
          <input name="q" type="search" maxLength={40} defaultValue={data.filter.q} placeholder={t("vocabulary.filter.qHint")} />
        </label>
        <label>
          {t("vocabulary.filter.field")}
          <select name="field" defaultValue={data.filter.field}>
            <option value="">{t("vocabulary.filter.anyField")}</option>
            <option value="general">{t("vocabulary.filter.general")}</option>
            {FIELDS.map((f) => (
              <option key={f} value={f}>
                {t(`listing.fields.${f}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("vocabulary.filter.status")}
          <select name="status" defaultValue={data.filter.status}>
            {(["active", "retired", "all"] as const).map((s) => (
              <option key={s} value={s}>
                {t(`vocabulary.filter.statuses.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button button--ghost">
          {t("vocabulary.filter.submit")}
        </button>
      </Form>
      <p className="muted">
        {t("vocabulary.filter.count", { count: data.activeTotal })}
        {data.fileUpdatesWaiting ? ` · ${t("vocabulary.filter.fileUpdates", { count: data.fileUpdatesWaiting })}` : ""}
      </p>

      <details open={!!create} data-testid="add-group">
        <summary>{t("vocabulary.form.addTitle")}</summary>
        <GroupForm
          intent="create"
          testId="add-group-form"
          values={{
            words: create?.values.words ?? "",
            field: create?.values.field ?? "",
            source: create?.values.source ?? "",
            note: create?.values.note ?? "",
          }}
          errors={create ? { ...create.fieldErrors, ...(create.formError ? { "": [create.formError] } : {}) } : {}}
          submitLabel={t("vocabulary.form.add")}
        />
      </details>

      {data.fields.length === 0 ? <p className="empty-state">{t("vocabulary.filter.none")}</p> : null}
      {data.truncated ? <p className="muted">{t("vocabulary.filter.truncated", { limit: VOCABULARY_LIST_LIMIT })}</p> : null}
      {data.fields.map((f) => (
        <section key={f.field} data-testid={`vocabulary-field-${f.field}`}>
          <h2>
            {f.field === "general" ? t("vocabulary.filter.general") : t(`listing.fields.${f.field}`)}{" "}
            <small className="muted">({f.groups.length})</small>
          </h2>
          <ul className="vocabulary-groups">
            {f.groups.map((g) => (
              <li key={g.id} className="vocabulary-group" data-testid="vocabulary-group" data-group-id={g.groupId}>
                <ul className="vocabulary-words" aria-label={g.groupId}>
                  {g.words.map((w, i) => (
                    <li key={w} className={i === 0 ? "vocabulary-term" : undefined}>
                      {w}
                    </li>
                  ))}
                </ul>
                <small className="muted">
                  {g.groupId} · {t(`vocabulary.group.origin.${g.origin}`)}
                  {g.edited && g.origin === "file" ? ` · ${t("vocabulary.group.edited")}` : ""}
                  {g.status === "retired" ? ` · ${t("vocabulary.group.retired")}` : ""}
                  {g.mergedInto ? ` · ${t("vocabulary.group.mergedInto", { group: g.mergedInto })}` : ""}
                </small>{" "}
                {g.fileUpdate ? (
                  <span className="status-badge" data-testid="file-update-badge">
                    {t("vocabulary.group.fileUpdate")}
                  </span>
                ) : null}{" "}
                <Link to={`/bureau/vocabulary/${g.id}`}>{t("vocabulary.group.open")}</Link>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
