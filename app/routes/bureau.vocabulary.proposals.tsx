import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import formStyles from "~/components/listing-form/listing-form.css";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { FieldErrors, FormErrors } from "~/components/ui/forms.tsx";
import vocabularyStyles from "~/components/vocabulary/vocabulary.css";
import { resultFor } from "~/schemas/action-result.ts";
import {
  acceptVocabularyProposal,
  PROPOSAL_MIN_PAIRS,
  rejectVocabularyProposal,
  vocabularyProposals,
} from "~/services/vocabulary/proposals.server.ts";
import listingStyles from "~/styles/listings.css";
import { attempt, intentAction, loadOrThrow, redirectDone, type ActionFailure } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/**
 * /bureau/vocabulary/proposals — word pairs that recur in positive matches, proposed as
 * vocabulary groups (issue 16, point 5): accept (a new group, or into the existing group of one
 * of the words) or reject (never proposed again).
 */
export const meta: MetaFunction = () => [{ title: "词组提议 · 匹配词表 · 成果" }];
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: formStyles },
  { rel: "stylesheet", href: vocabularyStyles },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "vocabulary:edit");
  return json(await loadOrThrow(vocabularyProposals(user)));
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "vocabulary:edit");
  const form = await readVerifiedForm(request);
  const values = formValues(form);
  const here = "/bureau/vocabulary/proposals";
  const target = `${values.demandWord ?? ""}|${values.achievementWord ?? ""}`;
  return intentAction(values, {
    accept: () =>
      attempt(
        { intent: "accept", target },
        () => acceptVocabularyProposal(user, values),
        () => redirectDone(here, "accepted"),
      ),
    reject: () =>
      attempt(
        { intent: "reject", target },
        () => rejectVocabularyProposal(user, values),
        () => redirectDone(here, "rejected"),
      ),
  });
}

export default function VocabularyProposalsPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<ActionFailure>();
  const { t } = useTranslation();
  return (
    <div className="vocabulary-desk" data-testid="vocabulary-proposals-page">
      <p>
        <Link to="/bureau/vocabulary">← {t("vocabulary.links.back")}</Link>
      </p>
      <h1>{t("vocabulary.proposals.title")}</h1>
      <p className="muted">{t("vocabulary.proposals.intro", { min: PROPOSAL_MIN_PAIRS })}</p>
      <p className="muted">
        {t("vocabulary.proposals.read", { count: data.pairsRead })}
        {data.capped ? ` ${t("vocabulary.proposals.capped")}` : ""}
      </p>
      <DoneNotice ns="vocabulary" />
      {data.proposals.length === 0 ? <p className="empty-state">{t("vocabulary.proposals.none")}</p> : null}
      {data.proposals.map((p) => {
        const key = `${p.demandWord}|${p.achievementWord}`;
        const feedback = resultFor(result, ["accept", "reject"], key);
        return (
          <section key={key} className="vocabulary-proposal" data-testid="proposal" data-pair={key}>
            <h2>
              {p.demandWord} ↔ {p.achievementWord} <small className="muted">{t("vocabulary.proposals.count", { count: p.count })}</small>
            </h2>
            <p className="muted">
              {t("vocabulary.proposals.demandWord")}: {p.demandWord} · {t("vocabulary.proposals.achievementWord")}: {p.achievementWord}
            </p>
            <p>{t("vocabulary.proposals.examples")}:</p>
            <ul>
              {p.examples.map((e) => (
                <li key={`${e.demandId}-${e.achievementId}`}>
                  <Link to={`/demands/${e.demandId}`}>{e.demandTitle}</Link> ↔{" "}
                  <Link to={`/achievements/${e.achievementId}`}>{e.achievementTitle}</Link>
                </li>
              ))}
            </ul>
            <Form method="post" className="inline-form" data-testid="accept-form">
              <AuthenticityTokenInput />
              <input type="hidden" name="intent" value="accept" />
              <input type="hidden" name="demandWord" value={p.demandWord} />
              <input type="hidden" name="achievementWord" value={p.achievementWord} />
              <fieldset>
                <legend>{t("vocabulary.proposals.into")}</legend>
                <label className="checkbox-line">
                  <input type="radio" name="into" value="new" defaultChecked />{" "}
                  {t("vocabulary.proposals.intoNew", { term: p.achievementWord })}
                </label>
                {p.groups.map((g) => (
                  <label key={g.groupId} className="checkbox-line">
                    <input type="radio" name="into" value={g.groupId} />{" "}
                    {t("vocabulary.proposals.intoGroup", { words: g.words.join("、") })}
                  </label>
                ))}
              </fieldset>
              <FieldErrors errors={feedback?.fieldErrors.into} />
              <FieldErrors errors={feedback?.fieldErrors.words} />
              <FormErrors errors={feedback?.formError ? [feedback.formError] : null} />
              <button type="submit" className="button" data-testid="proposal-accept">
                {t("vocabulary.proposals.accept")}
              </button>
            </Form>{" "}
            <Form method="post" className="inline-form" data-testid="reject-form">
              <AuthenticityTokenInput />
              <input type="hidden" name="intent" value="reject" />
              <input type="hidden" name="demandWord" value={p.demandWord} />
              <input type="hidden" name="achievementWord" value={p.achievementWord} />
              <button type="submit" className="button button--ghost" data-testid="proposal-reject">
                {t("vocabulary.proposals.reject")}
              </button>
            </Form>
          </section>
        );
      })}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
