import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import styles from "~/components/auction/auction.css";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import formStyles from "~/components/listing-form/listing-form.css";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import { CreateAuctionSchema } from "~/schemas/auctions.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { actorOf } from "~/services/kernel/actor.ts";
import { createAuction } from "~/services/trading/auctions/create.server.ts";
import { auctionFormContext } from "~/services/trading/auctions/form-context.server.ts";
import { chinaLocalDateTime } from "~/utils/china-time.ts";
import { fenToYuanText } from "~/utils/money.ts";
import { attempt, loadOrThrow, refuse } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/**
 * 发起竞价: the seller (or a broker) sets the start price, the hidden reserve, fixed or tiered
 * increments, the deposit, the times and the anti-sniping rule. A plain form: it works without
 * JavaScript, every error is shown next to its field and what was typed is kept.
 */
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: formStyles },
  { rel: "stylesheet", href: styles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "发起竞价 · 成果" }];

async function context(request: Request, id: string) {
  const user = await requireUser(request);
  return { user, ctx: await loadOrThrow(auctionFormContext(actorOf(user), id)) };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx } = await context(request, params.id ?? "");
  const t = requestT(request);
  const now = Date.now();
  const start = ctx.listing.priceAmount ?? 100_000_00;
  const defaults: Record<string, string> = {
    startPrice: fenToYuanText(start),
    reservePrice: "",
    incrementKind: "fixed",
    increment: fenToYuanText(Math.max(100_00, Math.round(start / 50 / 100_00) * 100_00)),
    deposit: fenToYuanText(Math.max(1_00, Math.round(start / 10 / 100) * 100)),
    startNow: "on",
    startsAt: chinaLocalDateTime(new Date(now + 3600_000)),
    endsAt: chinaLocalDateTime(new Date(now + 7 * 86_400_000)),
    antiSnipeWindowMinutes: "5",
    antiSnipeCapMinutes: "30",
    transactionMode: ctx.listing.transactionModes[0] ?? "transfer",
    licenseExclusivity: ctx.listing.licenseExclusivity[0] ?? "",
  };
  return json({ ...ctx, defaults, pageTitle: pageTitle(t, t("auction.create.title", { title: ctx.listing.title })) });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, ctx } = await context(request, params.id ?? "");
  // Not the seller (nor a broker): refused before the form is read; the page says why.
  if (ctx.refusal === "auction.errors.notSeller") return refuse(403, { intent: "create", values: {}, formError: ctx.refusal });
  const values = formValues(await readVerifiedForm(request));
  const tiers = [0, 1, 2, 3].map((i) => ({ from: values[`tiers.${i}.from`] ?? "", increment: values[`tiers.${i}.increment`] ?? "" }));
  const parsed = CreateAuctionSchema.safeParse({ ...values, tiers, startNow: values.startNow ?? false });
  if (!parsed.success) return refuse(400, { intent: "create", values, fieldErrors: flattenZodErrors(parsed.error) });
  if (ctx.refusal) return refuse(409, { intent: "create", values, formError: ctx.refusal });
  return attempt(
    { intent: "create", values },
    () => createAuction(actorOf(user), ctx.listing.id, parsed.data),
    (id) => redirect(`/auctions/${id}?created=1`),
  );
}

export default function NewAuctionPage() {
  const data = useLoaderData<typeof loader>();
  const result = resultFor(useActionData<typeof action>() as ActionResult | undefined, "create");
  const { t } = useTranslation();
  const v = (k: string) => result?.values[k] ?? data.defaults[k] ?? "";
  const errs = (k: string) => result?.fieldErrors[k] ?? null;
  const [kind, setKind] = useState(v("incrementKind") || "fixed");
  const field = (name: string, label: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}, hint?: string) => (
    <Field id={name} label={label} hint={hint} errors={errs(name)}>
      <input
        id={name}
        name={name}
        defaultValue={v(name)}
        aria-invalid={errs(name) ? true : undefined}
        aria-describedby={`${name}-error`}
        {...props}
      />
    </Field>
  );
  if (data.refusal) {
    return (
      <div>
        <h1>{t("auction.create.title", { title: data.listing.title })}</h1>
        <p className="notice notice--warn" role="alert">
          {t(data.refusal)}
        </p>
        {data.runningAuctionId ? <Link to={`/auctions/${data.runningAuctionId}`}>{t("auction.listTitle")}</Link> : null}
        <p>
          <Link to={`/achievements/${data.listing.id}`}>{t("auction.listing")}</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="listing-form-page">
      <h1>{t("auction.create.title", { title: data.listing.title })}</h1>
      <p className="muted">{t("auction.create.intro")}</p>
      {result?.formError ? (
        <p className="notice notice--warn" role="alert">
          {t(result.formError)}
        </p>
      ) : null}
      <Form method="post" className="auction-form listing-form" noValidate data-testid="auction-form">
        <AuthenticityTokenInput />
        <fieldset>
          {field("startPrice", t("auction.create.startPrice"), { inputMode: "decimal", required: true })}
          {field("reservePrice", t("auction.create.reservePrice"), { inputMode: "decimal" }, t("auction.create.reserveHint"))}
          {field("deposit", t("auction.create.deposit"), { inputMode: "decimal", required: true }, t("auction.create.depositHint"))}
        </fieldset>
        <fieldset>
          <legend>{t("auction.create.incrementKind")}</legend>
          <label className="checkbox">
            <input type="radio" name="incrementKind" value="fixed" defaultChecked={kind === "fixed"} onChange={() => setKind("fixed")} />{" "}
            {t("auction.create.fixed")}
          </label>
          <label className="checkbox">
            <input type="radio" name="incrementKind" value="tiered" defaultChecked={kind === "tiered"} onChange={() => setKind("tiered")} />{" "}
            {t("auction.create.tiered")}
          </label>
          <FieldErrors errors={errs("incrementKind")} />
          {field("increment", t("auction.create.increment"), { inputMode: "decimal" })}
          <div className={`field${kind === "tiered" ? "" : " field--secondary"}`}>
            <p className="label">{t("auction.create.tiers")}</p>
            <p className="hint">{t("auction.create.tiersHint")}</p>
            <div className="tiers">
              {[0, 1, 2, 3].map((i) => (
                <div key={i} className="contents">
                  <input
                    aria-label={`${t("auction.create.tierFrom")} ${i + 1}`}
                    name={`tiers.${i}.from`}
                    inputMode="decimal"
                    placeholder={t("auction.create.tierFrom")}
                    defaultValue={v(`tiers.${i}.from`)}
                  />
                  <input
                    aria-label={`${t("auction.create.tierIncrement")} ${i + 1}`}
                    name={`tiers.${i}.increment`}
                    inputMode="decimal"
                    placeholder={t("auction.create.tierIncrement")}
                    defaultValue={v(`tiers.${i}.increment`)}
                  />
                </div>
              ))}
            </div>
            <FieldErrors
              errors={[
                ...(errs("tiers") ?? []),
                ...Object.entries(result?.fieldErrors ?? {})
                  .filter(([k]) => k.startsWith("tiers."))
                  .flatMap(([, m]) => m),
              ]}
            />
          </div>
        </fieldset>
        <fieldset>
          <label className="checkbox">
            <input type="checkbox" name="startNow" value="on" defaultChecked={result ? result.values.startNow === "on" : true} />{" "}
            {t("auction.create.startNow")}
          </label>
          {field("startsAt", t("auction.create.startsAt"), { type: "datetime-local", step: 1 }, t("auction.create.startsAtHint"))}
          {field("endsAt", t("auction.create.endsAt"), { type: "datetime-local", step: 1, required: true })}
          {field(
            "antiSnipeWindowMinutes",
            t("auction.create.antiSnipeWindow"),
            { inputMode: "numeric" },
            t("auction.create.antiSnipeWindowHint"),
          )}
          {field("antiSnipeCapMinutes", t("auction.create.antiSnipeCap"), { inputMode: "numeric" })}
        </fieldset>
        <fieldset>
          <Field id="transactionMode" label={t("auction.create.transactionMode")} errors={errs("transactionMode")}>
            <select id="transactionMode" name="transactionMode" defaultValue={v("transactionMode")}>
              {data.listing.transactionModes.map((m) => (
                <option key={m} value={m}>
                  {t(`listing.modes.${m}`)}
                </option>
              ))}
            </select>
          </Field>
          {data.listing.licenseExclusivity.length ? (
            <Field id="licenseExclusivity" label={t("auction.create.licenseExclusivity")} errors={errs("licenseExclusivity")}>
              <select id="licenseExclusivity" name="licenseExclusivity" defaultValue={v("licenseExclusivity")}>
                {data.listing.licenseExclusivity.map((m) => (
                  <option key={m} value={m}>
                    {t(`listing.exclusivity.${m}`)}
                  </option>
                ))}
              </select>
            </Field>
          ) : null}
        </fieldset>
        <button type="submit" className="button" data-testid="auction-submit">
          {t("auction.create.submit")}
        </button>{" "}
        <Link to={`/achievements/${data.listing.id}`}>{t("auction.listing")}</Link>
      </Form>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
