import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { FormError } from "~/components/listing/messages.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import { OfferHelpSchema } from "~/schemas/broker-work.ts";
import { brokerPreferences, brokerRegionChoices, saveBrokerPreferences } from "~/services/accounts/broker-preferences.server.ts";
import { brokerOpportunities, offerBrokerHelp, type Opportunity } from "~/services/rooms/broker-work.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatDate } from "~/utils/china-time.ts";
import { FIELDS } from "~/utils/taxonomy.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { attempt, intentAction, redirectDone, refuse } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/**
 * 经纪工作台 (issue 13, point 12): for technology brokers only. The negotiations and deals without a
 * broker in the fields and regions the broker follows (their titles, fields and regions only), a
 * 表示愿意协助 button on each (the parties are told and may invite the broker into the room), and
 * the form for the fields and regions followed.
 */

export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "经纪工作台 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const broker = await requirePermission(request, "deal:mediate");
  const prefs = await brokerPreferences(broker);
  const work = await brokerOpportunities(broker, prefs);
  const t = requestT(request);
  return json({ prefs, regions: brokerRegionChoices(), ...work, pageTitle: pageTitle(t, t("brokerWork.title")) });
}

export async function action({ request }: ActionFunctionArgs) {
  const broker = await requirePermission(request, "deal:mediate");
  const form = await readVerifiedForm(request);
  const raw = formValues(form);
  return intentAction(raw, {
    savePrefs: () =>
      attempt(
        { intent: "savePrefs" },
        () => saveBrokerPreferences(broker, { fields: form.getAll("fields").map(String), regions: form.getAll("regions").map(String) }),
        () => redirectDone("/work", "prefsSaved"),
      ),
    offerHelp: async () => {
      const target = `${raw.target}:${raw.id}`;
      const parsed = OfferHelpSchema.safeParse({ target: raw.target, id: raw.id });
      if (!parsed.success)
        return refuse(400, {
          intent: "offerHelp",
          target,
          fieldErrors: flattenZodErrors(parsed.error),
          formError: "brokerWork.errors.notFound",
        });
      return attempt(
        { intent: "offerHelp", target, notFound: "show" },
        () => offerBrokerHelp(broker, parsed.data),
        () => redirectDone("/work", "helpOffered"),
      );
    },
  });
}

export default function BrokerWorkPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData() as ActionResult | undefined;
  const { t } = useTranslation();
  const prefsFailure = resultFor(result, "savePrefs");
  return (
    <div className="broker-work" data-testid="broker-work">
      <h1>{t("brokerWork.title")}</h1>
      <p className="muted">{t("brokerWork.intro")}</p>
      <p>
        <Link to="/my/commissions">{t("ledger.commissions.link")}</Link>
      </p>
      <DoneNotice ns="brokerWork" />

      <section aria-labelledby="rooms-title">
        <h2 id="rooms-title">{t("brokerWork.roomsTitle")}</h2>
        <OpportunityList items={data.rooms} empty={t("brokerWork.emptyRooms")} result={result} testId="work-rooms" />
      </section>
      <section aria-labelledby="deals-title">
        <h2 id="deals-title">{t("brokerWork.dealsTitle")}</h2>
        <OpportunityList items={data.deals} empty={t("brokerWork.emptyDeals")} result={result} testId="work-deals" />
      </section>

      <section className="card" aria-labelledby="prefs-title">
        <h2 id="prefs-title">{t("brokerWork.prefsTitle")}</h2>
        <p className="muted">{t("brokerWork.prefsHint")}</p>
        <Form method="post" data-testid="prefs-form">
          <AuthenticityTokenInput />
          <input type="hidden" name="intent" value="savePrefs" />
          <fieldset className="fieldset">
            <legend>{t("brokerWork.fields")}</legend>
            <div className="choices">
              {FIELDS.map((f) => (
                <label key={f}>
                  <input type="checkbox" name="fields" value={f} defaultChecked={data.prefs.fields.includes(f)} />
                  {t(`listing.fields.${f}`)}
                </label>
              ))}
            </div>
          </fieldset>
          <fieldset className="fieldset">
            <legend>{t("brokerWork.regions")}</legend>
            <div className="choices">
              {data.regions.map((r) => (
                <label key={r.code}>
                  <input type="checkbox" name="regions" value={r.code} defaultChecked={data.prefs.regions.includes(r.code)} />
                  {r.name}
                </label>
              ))}
            </div>
          </fieldset>
          <FormError message={prefsFailure?.formError ?? Object.values(prefsFailure?.fieldErrors ?? {}).flat()[0]} />
          <button type="submit" className="button">
            {t("brokerWork.save")}
          </button>
        </Form>
      </section>
    </div>
  );
}

function OpportunityList({
  items,
  empty,
  result,
  testId,
}: {
  items: Opportunity[];
  empty: string;
  result: ActionResult | undefined;
  testId: string;
}) {
  const { t } = useTranslation();
  if (items.length === 0) return <p className="empty-state">{empty}</p>;
  return (
    <ol className="queue-list" data-testid={testId}>
      {items.map((o) => {
        const failure = resultFor(result, "offerHelp", `${o.target}:${o.id}`);
        return (
          <li key={o.id} className="queue-item" data-testid="work-item">
            <div className="queue-item__body">
              <h3>
                <Link to={`/achievements/${o.listing.id}`}>{o.listing.title}</Link>
              </h3>
              <p className="muted">
                {t(`listing.fields.${o.listing.field}`)} · {o.listing.regionName} ·{" "}
                {t(o.target === "room" ? "brokerWork.since" : "brokerWork.dealSince", { date: formatDate(o.since) })}
              </p>
            </div>
            <div className="queue-item__actions">
              {o.offered ? (
                <p className="muted" data-testid="help-offered">
                  {t("brokerWork.offered")}
                </p>
              ) : (
                <Form method="post" preventScrollReset>
                  <AuthenticityTokenInput />
                  <input type="hidden" name="intent" value="offerHelp" />
                  <input type="hidden" name="target" value={o.target} />
                  <input type="hidden" name="id" value={o.id} />
                  <button type="submit" className="button button--ghost" data-testid="offer-help">
                    {t("brokerWork.offerHelp")}
                  </button>
                </Form>
              )}
              <FormError message={failure?.formError ?? undefined} />
            </div>
          </li>
        );
      })}
    </ol>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
