import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import formStyles from "~/components/listing-form/listing-form.css";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { FieldErrors, FormErrors } from "~/components/ui/forms.tsx";
import { GroupForm } from "~/components/vocabulary/group-form.tsx";
import { IndexState } from "~/components/vocabulary/index-state.tsx";
import vocabularyStyles from "~/components/vocabulary/vocabulary.css";
import { resultFor } from "~/schemas/action-result.ts";
import { VOCABULARY_GROUP_FORM_FIELDS } from "~/schemas/vocabulary.ts";
import {
  mergeVocabularyGroups,
  resolveFileUpdate,
  restoreVocabularyGroup,
  retireVocabularyGroup,
  updateVocabularyGroup,
} from "~/services/vocabulary/groups.server.ts";
import { vocabularyGroupDetail } from "~/services/vocabulary/queries.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatDateTime } from "~/utils/china-time.ts";
import { attempt, intentAction, loadOrThrow, redirectDone, type ActionFailure } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/**
 * /bureau/vocabulary/:id — one group of the live vocabulary: its words (the first is the term),
 * edit, merge another group in, retire or restore, review a newer file version, and its history
 * from the audit log (who, when, the words before and after).
 */
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.group.words[0] ?? "词组"} · 匹配词表 · 成果` }];
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: formStyles },
  { rel: "stylesheet", href: vocabularyStyles },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "vocabulary:edit");
  return json(await loadOrThrow(vocabularyGroupDetail(user, params.id ?? "")));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "vocabulary:edit");
  const id = params.id ?? "";
  const here = `/bureau/vocabulary/${id}`;
  const form = await readVerifiedForm(request);
  const values = formValues(form);
  return intentAction(values, {
    save: () =>
      attempt(
        { intent: "save", values: formValues(form, VOCABULARY_GROUP_FORM_FIELDS) },
        () => updateVocabularyGroup(user, id, values),
        () => redirectDone(here, "saved"),
      ),
    merge: () =>
      attempt(
        { intent: "merge", values: { other: values.other ?? "" } },
        () => mergeVocabularyGroups(user, id, values),
        () => redirectDone(here, "merged"),
      ),
    retire: () =>
      attempt(
        { intent: "retire" },
        () => retireVocabularyGroup(user, id),
        () => redirectDone(here, "retired"),
      ),
    restore: () =>
      attempt(
        { intent: "restore" },
        () => restoreVocabularyGroup(user, id, { confirm: values.confirm === "on" }),
        () => redirectDone(here, "restored"),
      ),
    takeFile: () =>
      attempt(
        { intent: "takeFile" },
        () => resolveFileUpdate(user, id, "take"),
        () => redirectDone(here, "fileTaken"),
      ),
    keepMine: () =>
      attempt(
        { intent: "keepMine" },
        () => resolveFileUpdate(user, id, "keep"),
        () => redirectDone(here, "fileKept"),
      ),
  });
}

function IntentButton({ intent, label, className = "button button--ghost" }: { intent: string; label: string; className?: string }) {
  return (
    <Form method="post" className="inline-form">
      <AuthenticityTokenInput />
      <input type="hidden" name="intent" value={intent} />
      <button type="submit" className={className} data-testid={`group-${intent}`}>
        {label}
      </button>
    </Form>
  );
}

export default function VocabularyGroupPage() {
  const { group, history, index } = useLoaderData<typeof loader>();
  const result = useActionData<ActionFailure>();
  const { t } = useTranslation();
  const save = resultFor(result, "save");
  const merge = resultFor(result, "merge");
  const restore = resultFor(result, "restore");
  const other = resultFor(result, ["retire", "takeFile", "keepMine"]);
  const active = group.status === "active";
  return (
    <div className="vocabulary-desk" data-testid="vocabulary-group-page">
      <p>
        <Link to="/bureau/vocabulary">← {t("vocabulary.links.back")}</Link>
      </p>
      <h1>
        {group.words[0]}{" "}
        {!active ? (
          <span className="status-badge" data-testid="group-status">
            {t("vocabulary.group.retired")}
          </span>
        ) : null}
      </h1>
      <ul className="vocabulary-words" data-testid="group-words">
        {group.words.map((w, i) => (
          <li key={w} className={i === 0 ? "vocabulary-term" : undefined}>
            {w}
          </li>
        ))}
      </ul>
      <p className="muted">
        {group.groupId} · {t(`vocabulary.group.origin.${group.origin}`)} · {t("vocabulary.group.field")}:{" "}
        {group.field ? t(`listing.fields.${group.field}`) : t("vocabulary.filter.general")}
        {group.source ? ` · ${t("vocabulary.group.source")}: ${group.source}` : ""}
        {group.note ? ` · ${t("vocabulary.group.note")}: ${group.note}` : ""}
        {group.mergedInto ? ` · ${t("vocabulary.group.mergedInto", { group: group.mergedInto })}` : ""}
      </p>
      <p>
        <IndexState index={index} />
      </p>
      <DoneNotice ns="vocabulary" />
      <FormErrors errors={other?.formError ? [other.formError] : null} />

      {group.fileUpdate ? (
        <section className="notice" data-testid="file-update">
          <strong>{t("vocabulary.group.fileUpdate")}</strong>
          <p>{t("vocabulary.group.fileUpdateText", { version: group.fileUpdate.version, words: group.fileUpdate.words.join("、") })}</p>
          <IntentButton intent="takeFile" label={t("vocabulary.group.takeFile")} className="button" />{" "}
          <IntentButton intent="keepMine" label={t("vocabulary.group.keepMine")} />
        </section>
      ) : null}

      {active ? (
        <>
          <h2>{t("vocabulary.group.edit")}</h2>
          <GroupForm
            intent="save"
            testId="edit-group-form"
            values={{
              words: save?.values.words ?? group.words.join("\n"),
              field: save?.values.field ?? group.field ?? "",
              source: save?.values.source ?? group.source,
              note: save?.values.note ?? group.note,
            }}
            errors={save ? { ...save.fieldErrors, ...(save.formError ? { "": [save.formError] } : {}) } : {}}
            submitLabel={t("vocabulary.form.save")}
          />

          <h2>{t("vocabulary.group.merge")}</h2>
          <Form method="post" className="listing-form" data-testid="merge-form">
            <AuthenticityTokenInput />
            <input type="hidden" name="intent" value="merge" />
            <div className="field">
              <label htmlFor="other">{t("vocabulary.group.other")}</label>
              <input
                id="other"
                name="other"
                required
                maxLength={100}
                defaultValue={merge?.values.other ?? ""}
                aria-describedby="other-hint other-error"
              />
              <p className="field-hint" id="other-hint">
                {t("vocabulary.group.mergeHint")}
              </p>
              <FieldErrors id="other-error" errors={merge?.fieldErrors.other} />
            </div>
            <FormErrors errors={merge?.formError ? [merge.formError] : null} />
            <button type="submit" className="button button--ghost" data-testid="group-merge">
              {t("vocabulary.group.merge")}
            </button>
          </Form>

          <h2>{t("vocabulary.group.retire")}</h2>
          <p className="muted">{t("vocabulary.group.retireHint")}</p>
          <IntentButton intent="retire" label={t("vocabulary.group.retire")} />
        </>
      ) : (
        <Form method="post" className="listing-form" data-testid="restore-form">
          <AuthenticityTokenInput />
          <input type="hidden" name="intent" value="restore" />
          <label className="checkbox-line">
            <input type="checkbox" name="confirm" value="on" /> {t("vocabulary.form.confirm")}
          </label>
          <FieldErrors errors={restore?.fieldErrors.words} />
          <FormErrors errors={restore?.formError ? [restore.formError] : null} />
          <button type="submit" className="button" data-testid="group-restore">
            {t("vocabulary.group.restore")}
          </button>
        </Form>
      )}

      <h2>{t("vocabulary.group.history")}</h2>
      {history.length === 0 ? <p className="muted">{t("vocabulary.group.noHistory")}</p> : null}
      <ol data-testid="group-history">
        {history.map((h, i) => (
          <li key={i}>
            {formatDateTime(h.at)} · {h.actorName} · {t(`vocabulary.actions.${h.action}`, { defaultValue: h.action })}
            {h.from || h.to ? (
              <>
                {" · "}
                {h.from ? <del>{h.from}</del> : null}
                {h.from && h.to ? " → " : null}
                {h.to ? <ins>{h.to}</ins> : null}
              </>
            ) : null}
            {h.reason ? <small className="muted"> · {h.reason}</small> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
