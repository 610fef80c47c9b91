import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { Row } from "~/components/ui/fact-row.tsx";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor, type ActionResult, type FormFeedback } from "~/schemas/action-result.ts";
import { logActivity, removeActivity } from "~/services/commissioners/activity.server.ts";
import { addAssignment, removeAssignment } from "~/services/commissioners/assignments.server.ts";
import { commissionerDetails, currentYear } from "~/services/commissioners/queries.server.ts";
import { removeCommissioner, updateCommissioner } from "~/services/commissioners/registry.server.ts";
import listingStyles from "~/styles/listings.css";
import { chinaToday } from "~/utils/china-time.ts";
import {
  ACTIVITY_KINDS,
  ACTIVITY_NOTE_MAX,
  ASSIGNMENT_TARGET_TYPES,
  COMMISSIONER_NAME_MAX,
  COMMISSIONER_UNIT_MAX,
  PEOPLE_REACHED_MAX,
  PLACE_NAME_MAX,
} from "~/utils/commissioners.ts";
import { FIELDS } from "~/utils/taxonomy.ts";
import { attempt, intentAction, loadOrThrow, redirectDone } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/**
 * /bureau/commissioners/:id — one 科技特派员: details, assignments by year, the activity log and
 * the forms to add to them (issue 15, point 7). The bureau does everything here; a commissioner
 * whose account is linked sees their own entry (without the phone) and logs their own activity.
 */

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.commissioner.name ?? "科技特派员"} · 科技特派员 · 成果` },
];

// listings.css: the facts lists of the cards.
export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const details = await loadOrThrow(commissionerDetails(user, params.id ?? ""));
  return json({ ...details, thisYear: currentYear(), today: chinaToday() });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = params.id ?? "";
  // Who may not see the commissioner is refused before the form is read (as the page).
  await loadOrThrow(commissionerDetails(user, id));
  const values = formValues(await readVerifiedForm(request));
  const here = `/bureau/commissioners/${id}`;
  return intentAction(values, {
    edit: () =>
      attempt(
        { intent: "edit", values },
        () => updateCommissioner(user, id, values),
        () => redirectDone(here, "saved"),
      ),
    remove: () =>
      attempt(
        { intent: "remove", values },
        () => removeCommissioner(user, id),
        () => redirectDone("/bureau/commissioners", "removed"),
      ),
    assign: () =>
      attempt(
        { intent: "assign", values },
        () => addAssignment(user, id, values),
        () => redirectDone(here, "assigned", { hash: "assignments" }),
      ),
    unassign: () =>
      attempt(
        { intent: "unassign", target: values.assignmentId ?? null, values },
        () => removeAssignment(user, id, values.assignmentId ?? ""),
        () => redirectDone(here, "unassigned", { hash: "assignments" }),
      ),
    removeActivity: () =>
      attempt(
        { intent: "removeActivity", target: values.activityId ?? null, values },
        () => removeActivity(user, id, values.activityId ?? ""),
        () => redirectDone(here, "activityRemoved", { hash: "activity" }),
      ),
    activity: () =>
      attempt(
        { intent: "activity", values },
        () => logActivity(user, id, values),
        () => redirectDone(here, "logged", { hash: "activity" }),
      ),
  });
}

function FormErrorLine({ feedback }: { feedback: FormFeedback | null }) {
  return feedback?.formError ? (
    <div className="form-error">
      <FieldErrors errors={[feedback.formError]} />
    </div>
  ) : null;
}

export default function CommissionerPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const { commissioner: c } = data;
  const manage = data.access === "manage";
  const edit = resultFor(result, "edit");
  const removal = resultFor(result, "remove");
  const assign = resultFor(result, "assign");
  const activity = resultFor(result, "activity");
  const v = (fb: FormFeedback | null, name: string, fallback = "") => fb?.values[name] ?? fallback;
  return (
    <div className="page" data-testid="commissioner-page">
      {manage ? (
        <p>
          <Link to="/bureau/commissioners">{t("commissioners.back")}</Link>
        </p>
      ) : null}
      <h1>{c.name}</h1>
      <DoneNotice ns="commissioners" />
      <dl className="facts" data-testid="commissioner-facts">
        <Row label={t("commissioners.unit")} value={c.unit} />
        <Row label={t("commissioners.field")} value={t(`listing.fields.${c.field}`)} />
        {manage ? <Row label={t("commissioners.phone")} value={c.phone ?? "—"} /> : null}
        <Row label={t("commissioners.account")} value={c.account ?? "—"} />
      </dl>

      <section id="assignments" aria-labelledby="assignments-heading">
        <h2 id="assignments-heading">{t("commissioners.assignments")}</h2>
        {data.assignments.length === 0 ? (
          <p className="muted">{t("commissioners.noAssignments")}</p>
        ) : (
          <ol className="admin-cards" data-testid="assignments-list">
            {data.assignments.map((a) => (
              <li key={a.id} className="admin-card" data-testid="assignment-card">
                <h3 className="admin-card__title">
                  {a.year} · {t(`commissioners.targetTypes.${a.targetType}`)} · {a.targetName}
                </h3>
                <dl className="facts">
                  <Row label={t("commissioners.town")} value={a.townName ?? "—"} />
                  {a.note ? <Row label={t("commissioners.note")} value={a.note} /> : null}
                </dl>
                {manage ? (
                  <Form method="post">
                    <AuthenticityTokenInput />
                    <input type="hidden" name="intent" value="unassign" />
                    <input type="hidden" name="assignmentId" value={a.id} />
                    <button type="submit" className="button button--ghost" disabled={busy}>
                      {t("commissioners.removeAssignment")}
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ol>
        )}
        {manage ? (
          <Form method="post" className="form-card" data-testid="assignment-form">
            <h3>{t("commissioners.addAssignment")}</h3>
            <AuthenticityTokenInput />
            <input type="hidden" name="intent" value="assign" />
            <FormErrorLine feedback={assign} />
            <Field id="a-year" label={t("commissioners.year")} errors={assign?.fieldErrors.year}>
              <input
                id="a-year"
                name="year"
                type="number"
                inputMode="numeric"
                min={2000}
                max={2100}
                required
                defaultValue={v(assign, "year", String(data.thisYear))}
                aria-describedby="a-year-error"
              />
            </Field>
            <Field id="a-targetType" label={t("commissioners.targetType")} errors={assign?.fieldErrors.targetType}>
              <select
                id="a-targetType"
                name="targetType"
                required
                defaultValue={v(assign, "targetType")}
                aria-describedby="a-targetType-error"
              >
                <option value="">—</option>
                {ASSIGNMENT_TARGET_TYPES.map((k) => (
                  <option key={k} value={k}>
                    {t(`commissioners.targetTypes.${k}`)}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="a-organizationId" label={t("commissioners.organization")} errors={assign?.fieldErrors.organizationId}>
              <select
                id="a-organizationId"
                name="organizationId"
                defaultValue={v(assign, "organizationId")}
                aria-describedby="a-organizationId-error"
              >
                <option value="">{t("commissioners.organizationNone")}</option>
                {data.organizations.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="a-placeName" label={t("commissioners.placeName")} errors={assign?.fieldErrors.placeName}>
              <input
                id="a-placeName"
                name="placeName"
                maxLength={PLACE_NAME_MAX}
                defaultValue={v(assign, "placeName")}
                aria-describedby="a-placeName-error"
              />
            </Field>
            <Field id="a-town" label={t("commissioners.town")} errors={assign?.fieldErrors.town}>
              <select id="a-town" name="town" defaultValue={v(assign, "town")} aria-describedby="a-town-error">
                <option value="">—</option>
                {data.towns.map((tw) => (
                  <option key={tw.code} value={tw.code}>
                    {tw.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="a-note" label={t("commissioners.note")} errors={assign?.fieldErrors.note}>
              <input
                id="a-note"
                name="note"
                maxLength={ACTIVITY_NOTE_MAX}
                defaultValue={v(assign, "note")}
                aria-describedby="a-note-error"
              />
            </Field>
            <button type="submit" className="button" disabled={busy}>
              {t("commissioners.addAssignment")}
            </button>
          </Form>
        ) : null}
      </section>

      <section id="activity" aria-labelledby="activity-heading">
        <h2 id="activity-heading">{t("commissioners.activity")}</h2>
        {data.activities.length === 0 ? (
          <p className="muted">{t("commissioners.noActivity")}</p>
        ) : (
          <ol className="admin-cards" data-testid="activity-list">
            {data.activities.map((a) => (
              <li key={a.id} className="admin-card" data-testid="activity-card">
                <h3 className="admin-card__title">
                  {a.date} · {t(`commissioners.kinds.${a.kind}`)}
                </h3>
                <dl className="facts">
                  <Row label={t("commissioners.place")} value={a.townName} />
                  <Row label={t("commissioners.people")} value={a.peopleReached} />
                  {a.note ? <Row label={t("commissioners.note")} value={a.note} /> : null}
                  <Row
                    label={t("commissioners.enteredBy")}
                    value={`${a.enteredBy ?? ""}${a.self ? ` · ${t("commissioners.self")}` : ""}`}
                  />
                </dl>
                {manage ? (
                  <Form method="post">
                    <AuthenticityTokenInput />
                    <input type="hidden" name="intent" value="removeActivity" />
                    <input type="hidden" name="activityId" value={a.id} />
                    <button type="submit" className="button button--ghost" disabled={busy}>
                      {t("commissioners.removeActivity")}
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ol>
        )}
        <Form method="post" className="form-card" data-testid="activity-form">
          <h3>{t("commissioners.addActivity")}</h3>
          <AuthenticityTokenInput />
          <input type="hidden" name="intent" value="activity" />
          <FormErrorLine feedback={activity} />
          <Field id="kind" label={t("commissioners.kind")} errors={activity?.fieldErrors.kind}>
            <select id="kind" name="kind" required defaultValue={v(activity, "kind")} aria-describedby="kind-error">
              <option value="">—</option>
              {ACTIVITY_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`commissioners.kinds.${k}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="date" label={t("commissioners.date")} errors={activity?.fieldErrors.date}>
            <input
              id="date"
              name="date"
              type="date"
              required
              max={data.today}
              defaultValue={v(activity, "date", data.today)}
              aria-describedby="date-error"
            />
          </Field>
          <Field id="town" label={t("commissioners.place")} errors={activity?.fieldErrors.town}>
            <select id="town" name="town" required defaultValue={v(activity, "town")} aria-describedby="town-error">
              <option value="">—</option>
              {data.towns.map((tw) => (
                <option key={tw.code} value={tw.code}>
                  {tw.name}
                </option>
              ))}
            </select>
          </Field>
          <Field id="peopleReached" label={t("commissioners.people")} errors={activity?.fieldErrors.peopleReached}>
            <input
              id="peopleReached"
              name="peopleReached"
              type="number"
              inputMode="numeric"
              min={0}
              max={PEOPLE_REACHED_MAX}
              required
              defaultValue={v(activity, "peopleReached")}
              aria-describedby="peopleReached-error"
            />
          </Field>
          <Field id="note" label={t("commissioners.note")} errors={activity?.fieldErrors.note}>
            <textarea
              id="note"
              name="note"
              rows={3}
              maxLength={ACTIVITY_NOTE_MAX}
              defaultValue={v(activity, "note")}
              aria-describedby="note-error"
            />
          </Field>
          <button type="submit" className="button" disabled={busy}>
            {t("commissioners.addActivity")}
          </button>
        </Form>
      </section>

      {manage ? (
        <>
          <Form method="post" className="form-card" data-testid="edit-form">
            <h2>{t("commissioners.edit")}</h2>
            <AuthenticityTokenInput />
            <input type="hidden" name="intent" value="edit" />
            <FormErrorLine feedback={edit} />
            <Field id="e-name" label={t("commissioners.name")} errors={edit?.fieldErrors.name}>
              <input
                id="e-name"
                name="name"
                required
                maxLength={COMMISSIONER_NAME_MAX}
                defaultValue={v(edit, "name", c.name)}
                aria-describedby="e-name-error"
              />
            </Field>
            <Field id="e-unit" label={t("commissioners.unit")} errors={edit?.fieldErrors.unit}>
              <input
                id="e-unit"
                name="unit"
                required
                maxLength={COMMISSIONER_UNIT_MAX}
                defaultValue={v(edit, "unit", c.unit)}
                aria-describedby="e-unit-error"
              />
            </Field>
            <Field id="e-field" label={t("commissioners.field")} errors={edit?.fieldErrors.field}>
              <select id="e-field" name="field" required defaultValue={v(edit, "field", c.field)} aria-describedby="e-field-error">
                {FIELDS.map((f) => (
                  <option key={f} value={f}>
                    {t(`listing.fields.${f}`)}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="e-phone" label={t("commissioners.phone")} hint={t("commissioners.phoneHint")} errors={edit?.fieldErrors.phone}>
              <input
                id="e-phone"
                name="phone"
                type="tel"
                defaultValue={v(edit, "phone", c.phone ?? "")}
                aria-describedby="e-phone-hint e-phone-error"
              />
            </Field>
            <Field
              id="e-userEmail"
              label={t("commissioners.userEmail")}
              hint={t("commissioners.userEmailHint")}
              errors={edit?.fieldErrors.userEmail}
            >
              <input
                id="e-userEmail"
                name="userEmail"
                type="email"
                defaultValue={v(edit, "userEmail", c.accountEmail ?? "")}
                aria-describedby="e-userEmail-hint e-userEmail-error"
              />
            </Field>
            <button type="submit" className="button" disabled={busy}>
              {t("commissioners.save")}
            </button>
          </Form>
          <Form method="post" className="form-card" data-testid="remove-form">
            <AuthenticityTokenInput />
            <input type="hidden" name="intent" value="remove" />
            <p className="muted">{t("commissioners.removeHint")}</p>
            <FormErrorLine feedback={removal} />
            <button type="submit" className="button button--danger" disabled={busy}>
              {t("commissioners.remove")}
            </button>
          </Form>
        </>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
