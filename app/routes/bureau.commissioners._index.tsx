import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";
import { Row } from "~/components/ui/fact-row.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import { TargetFormSchema, YearQuerySchema } from "~/schemas/commissioners.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { COMMISSIONER_TARGET_MAX } from "~/schemas/settings.ts";
import { commissionerRegistry, currentYear } from "~/services/commissioners/queries.server.ts";
import { createCommissioner } from "~/services/commissioners/registry.server.ts";
import { updateCommissionerTarget } from "~/services/settings/evaluation.server.ts";
import listingStyles from "~/styles/listings.css";
import { COMMISSIONER_NAME_MAX, COMMISSIONER_UNIT_MAX } from "~/utils/commissioners.ts";
import { FIELDS } from "~/utils/taxonomy.ts";
import { attempt, intentAction, loadOrThrow, redirectDone, refuse } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/** /bureau/commissioners: the registry of 科技特派员 with the year's dispatch against the target (issue 15, point 7). */

export const meta: MetaFunction = () => [{ title: "科技特派员 · 成果" }];
// listings.css: the facts lists of the cards.
export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "commissioner:manage");
  const { year } = YearQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return json(await loadOrThrow(commissionerRegistry(user, year ?? currentYear())));
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "commissioner:manage");
  const values = formValues(await readVerifiedForm(request));
  const keep = new URLSearchParams(new URL(request.url).search);
  keep.delete("done");
  keep.delete("index"); // the index route's own marker on posts
  return intentAction(values, {
    create: () =>
      attempt(
        { intent: "create", values },
        () => createCommissioner(user, values),
        (id) => redirectDone(`/bureau/commissioners/${id}`, "created"),
      ),
    target: () => {
      const parsed = TargetFormSchema.safeParse(values);
      if (!parsed.success) return Promise.resolve(refuse(400, { intent: "target", values, fieldErrors: flattenZodErrors(parsed.error) }));
      return attempt(
        { intent: "target", values },
        () => updateCommissionerTarget(user, parsed.data.commissionerTarget),
        () => redirectDone("/bureau/commissioners", "target", { keep }),
      );
    },
  });
}

export default function Commissioners() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const created = resultFor(result, "create");
  const target = resultFor(result, "target");
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const value = (name: string) => created?.values[name] ?? "";
  return (
    <div className="page" data-testid="commissioners-page">
      <h1>{t("commissioners.title")}</h1>
      <p className="muted">{t("commissioners.intro")}</p>
      <DoneNotice ns="commissioners" />

      <Form method="get" className="toolbar">
        <label htmlFor="year">{t("commissioners.year")}</label>
        <input id="year" name="year" type="number" inputMode="numeric" min={2000} max={2100} defaultValue={data.year} />
        <button type="submit" className="button button--ghost">
          {t("commissioners.show")}
        </button>
      </Form>

      <section aria-labelledby="dispatch-heading" data-testid="dispatch">
        <h2 id="dispatch-heading">{t("commissioners.progressLabel")}</h2>
        <p>
          <progress
            value={Math.min(data.dispatched, data.target)}
            max={data.target}
            aria-describedby="dispatch-text"
            className="progress-bar"
          >
            {data.percent}%
          </progress>
        </p>
        <p id="dispatch-text" data-testid="dispatch-text">
          {t("commissioners.dispatched", { year: data.year, dispatched: data.dispatched, target: data.target, percent: data.percent })}
        </p>
        <Form method="post" className="toolbar" data-testid="target-form">
          <AuthenticityTokenInput />
          <input type="hidden" name="intent" value="target" />
          <Field id="commissionerTarget" label={t("commissioners.target")} errors={target?.fieldErrors.commissionerTarget}>
            <input
              id="commissionerTarget"
              name="commissionerTarget"
              type="number"
              inputMode="numeric"
              min={1}
              max={COMMISSIONER_TARGET_MAX}
              required
              defaultValue={target?.values.commissionerTarget ?? data.target}
              aria-describedby="commissionerTarget-error"
            />
          </Field>
          <button type="submit" className="button button--ghost" disabled={busy}>
            {t("commissioners.saveTarget")}
          </button>
        </Form>
      </section>

      {data.commissioners.length === 0 ? (
        <p className="muted">{t("commissioners.none")}</p>
      ) : (
        <ol className="admin-cards" data-testid="commissioners-list">
          {data.commissioners.map((c) => (
            <li key={c.id} className="admin-card" data-testid="commissioner-card">
              <h3 className="admin-card__title">
                <Link to={`/bureau/commissioners/${c.id}`}>{c.name}</Link>
              </h3>
              <dl className="facts">
                <Row label={t("commissioners.unit")} value={c.unit} />
                <Row label={t("commissioners.field")} value={t(`listing.fields.${c.field}`)} />
                <Row
                  label={t("commissioners.assignedTo", { year: data.year })}
                  value={c.assignedTo.length ? c.assignedTo.join("、") : <span className="muted">{t("commissioners.notAssigned")}</span>}
                />
                <Row label={t("commissioners.activities")} value={c.activities} />
                <Row label={t("commissioners.peopleReached")} value={c.peopleReached} />
                {c.phone ? <Row label={t("commissioners.phone")} value={c.phone} /> : null}
              </dl>
            </li>
          ))}
        </ol>
      )}

      <Form method="post" className="form-card" data-testid="commissioner-form">
        <h2>{t("commissioners.add")}</h2>
        <AuthenticityTokenInput />
        <input type="hidden" name="intent" value="create" />
        {created?.formError ? (
          <div className="form-error">
            <FieldErrors errors={[created.formError]} />
          </div>
        ) : null}
        <Field id="name" label={t("commissioners.name")} errors={created?.fieldErrors.name}>
          <input
            id="name"
            name="name"
            required
            maxLength={COMMISSIONER_NAME_MAX}
            defaultValue={value("name")}
            aria-describedby="name-error"
          />
        </Field>
        <Field id="unit" label={t("commissioners.unit")} errors={created?.fieldErrors.unit}>
          <input
            id="unit"
            name="unit"
            required
            maxLength={COMMISSIONER_UNIT_MAX}
            defaultValue={value("unit")}
            aria-describedby="unit-error"
          />
        </Field>
        <Field id="field" label={t("commissioners.field")} errors={created?.fieldErrors.field}>
          <select id="field" name="field" required defaultValue={value("field")} aria-describedby="field-error">
            <option value="">—</option>
            {FIELDS.map((f) => (
              <option key={f} value={f}>
                {t(`listing.fields.${f}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="phone" label={t("commissioners.phone")} hint={t("commissioners.phoneHint")} errors={created?.fieldErrors.phone}>
          <input id="phone" name="phone" type="tel" defaultValue={value("phone")} aria-describedby="phone-hint phone-error" />
        </Field>
        <Field
          id="userEmail"
          label={t("commissioners.userEmail")}
          hint={t("commissioners.userEmailHint")}
          errors={created?.fieldErrors.userEmail}
        >
          <input
            id="userEmail"
            name="userEmail"
            type="email"
            defaultValue={value("userEmail")}
            aria-describedby="userEmail-hint userEmail-error"
          />
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {t("commissioners.addSubmit")}
        </button>
      </Form>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
