import { getFormProps, getInputProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor } from "~/schemas/action-result.ts";
import {
  DecideRequestSchema,
  InviteByEmailSchema,
  JoinByCodeSchema,
  MemberActionSchema,
  RevokeInvitationSchema,
  SetMemberRoleSchema,
} from "~/schemas/membership.ts";
import {
  createInvitationLink,
  decideJoinRequest,
  inviteByEmail,
  organizationPage,
  removeMember,
  requestToJoinByCreditCode,
  revokeInvitation,
  setMemberRole,
  withdrawJoinRequest,
} from "~/services/accounts/membership.server.ts";
import { newToken } from "~/services/accounts/tokens.server.ts";
import { actorOf } from "~/services/kernel/actor.ts";
import { formatDateTime } from "~/utils/china-time.ts";
import { publicUrl } from "~/utils/env.server.ts";
import { attempt, intentAction, invalid, loadOrThrow, redirectDone, succeed } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/**
 * 机构与成员: the members of the person's organisation; for its admins the join requests,
 * invitations (by mail, or a shareable link) and member management; for a person without an
 * organisation, a join request by credit code.
 */

export const meta: MetaFunction = () => [{ title: "机构与成员 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return json(await loadOrThrow(organizationPage(actorOf(user))));
}

const DONE = "/account/organization";

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const actor = actorOf(user);
  const formData = await readVerifiedForm(request);
  const values = formValues(formData);
  const rowAction = <
    S extends typeof MemberActionSchema | typeof SetMemberRoleSchema | typeof DecideRequestSchema | typeof RevokeInvitationSchema,
  >(
    schema: S,
    intent: string,
    target: (v: Record<string, string>) => string,
    run: (value: S["_output"]) => Promise<unknown>,
    notice: string,
  ) => {
    const parsed = schema.safeParse(values);
    if (!parsed.success) return Promise.resolve(invalid(parseWithZod(formData, { schema }), { intent, target: target(values) }));
    return attempt(
      { intent, target: target(values), values, notFound: "show" },
      () => run(parsed.data),
      () => redirectDone(DONE, notice),
    );
  };
  return intentAction(values, {
    invite: async () => {
      const submission = parseWithZod(formData, { schema: InviteByEmailSchema });
      const form = { intent: "invite", submission };
      if (submission.status !== "success") return invalid(submission, form);
      return attempt(
        form,
        () => inviteByEmail(actor, submission.value.email, newToken),
        () => redirectDone(DONE, "invited"),
      );
    },
    // The link is shown once, in the answer: only its hash is stored.
    createLink: () =>
      attempt(
        { intent: "createLink" },
        () => createInvitationLink(actor, newToken),
        (token) => succeed("createLink", { url: `${publicUrl()}/invite/${token}` }),
      ),
    revoke: () =>
      rowAction(
        RevokeInvitationSchema,
        "revoke",
        (v) => v.invitationId ?? "",
        (v) => revokeInvitation(actor, v.invitationId),
        "revoked",
      ),
    approve: () =>
      rowAction(
        DecideRequestSchema,
        "approve",
        (v) => v.requestId ?? "",
        (v) => decideJoinRequest(actor, v.requestId, "approve"),
        "approved",
      ),
    reject: () =>
      rowAction(
        DecideRequestSchema,
        "reject",
        (v) => v.requestId ?? "",
        (v) => decideJoinRequest(actor, v.requestId, "reject"),
        "rejected",
      ),
    remove: () =>
      rowAction(
        MemberActionSchema,
        "remove",
        (v) => v.userId ?? "",
        (v) => removeMember(actor, v.userId),
        values.userId === user.id ? "left" : "removed",
      ),
    setRole: () =>
      rowAction(
        SetMemberRoleSchema,
        "setRole",
        (v) => v.userId ?? "",
        (v) => setMemberRole(actor, v.userId, v.orgRole),
        "roleChanged",
      ),
    join: async () => {
      const submission = parseWithZod(formData, { schema: JoinByCodeSchema });
      const form = { intent: "join", submission };
      if (submission.status !== "success") return invalid(submission, form);
      return attempt(
        form,
        () => requestToJoinByCreditCode(actor, submission.value.creditCode, submission.value.message),
        () => redirectDone(DONE, "requested"),
      );
    },
    withdraw: () =>
      attempt(
        { intent: "withdraw" },
        () => withdrawJoinRequest(actor),
        () => redirectDone(DONE, "withdrawn"),
      ),
  });
}

function RowError({ intent, target }: { intent: string | string[]; target: string }) {
  const result = useActionData<typeof action>();
  const feedback = resultFor(result, intent, target);
  if (!feedback) return null;
  const errors = [...(feedback.formError ? [feedback.formError] : []), ...Object.values(feedback.fieldErrors).flat()];
  return <FieldErrors errors={errors} />;
}

export default function OrganizationPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const [inviteForm, inviteFields] = useForm({
    id: "invite",
    lastResult: resultFor(result, "invite")?.reply,
    constraint: getZodConstraint(InviteByEmailSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: InviteByEmailSchema }),
    shouldRevalidate: "onInput",
  });
  const [joinForm, joinFields] = useForm({
    id: "join",
    lastResult: resultFor(result, "join")?.reply,
    constraint: getZodConstraint(JoinByCodeSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: JoinByCodeSchema }),
    shouldRevalidate: "onInput",
  });
  const newLink = result?.ok && result.intent === "createLink" ? (result.data as { url: string }).url : null;
  const isAdmin = data.myRole === "admin";
  // An individual's own account has no colleagues to invite.
  const canInvite = isAdmin && data.organization?.type !== "individual";
  const adminCount = data.members.filter((m) => m.orgRole === "admin").length;

  if (!data.organization) {
    return (
      <div className="form">
        <h1>{t("membership.title")}</h1>
        <DoneNotice ns="membership" />
        {data.myRequest ? (
          <div className="form-card">
            <p className="notice" data-testid="pending-join">
              {t("account.pendingJoin", { org: data.myRequest.organization })}
            </p>
            <Form method="post">
              <AuthenticityTokenInput />
              <button type="submit" name="intent" value="withdraw" className="button button--ghost">
                {t("membership.withdraw")}
              </button>
            </Form>
          </div>
        ) : (
          <Form method="post" className="form-card" {...getFormProps(joinForm)}>
            <AuthenticityTokenInput />
            <input type="hidden" name="intent" value="join" />
            <h2>{t("membership.joinTitle")}</h2>
            <p className="muted">{t("account.noOrganization")}</p>
            <p className="muted">{t("membership.joinIntro")}</p>
            {joinForm.errors?.length ? (
              <div className="form-error">
                <FieldErrors errors={joinForm.errors} />
              </div>
            ) : null}
            <Field
              id={joinFields.creditCode.id}
              label={t("auth.creditCode")}
              hint={t("auth.creditCodeHint")}
              errors={joinFields.creditCode.errors}
            >
              <input {...getInputProps(joinFields.creditCode, { type: "text" })} maxLength={18} spellCheck={false} />
            </Field>
            <Field id={joinFields.message.id} label={t("membership.joinMessage")} errors={joinFields.message.errors}>
              <textarea {...getTextareaProps(joinFields.message)} rows={2} maxLength={300} />
            </Field>
            <button type="submit" className="button" disabled={busy}>
              {t("membership.sendRequest")}
            </button>
          </Form>
        )}
      </div>
    );
  }

  return (
    <div className="org-page">
      <h1>{t("membership.title")}</h1>
      <DoneNotice ns="membership" />
      <p>
        <strong data-testid="org-name">{data.organization.name}</strong>（{t(`orgTypes.${data.organization.type}`)}）
        {data.organization.creditCode ? <span className="muted"> {data.organization.creditCode}</span> : null}
      </p>
      <p className="muted">{t("membership.memberNote")}</p>

      <h2>{t("membership.members")}</h2>
      <ul className="card-list" data-testid="members">
        {data.members.map((m) => (
          <li key={m.id} className="card" data-testid={`member-${m.email}`}>
            <p>
              <strong>{m.name}</strong>
              {m.me ? t("membership.you") : null} <span className="badge">{t(`orgRoles.${m.orgRole}`)}</span>
            </p>
            <p className="muted">
              {m.email}
              {m.phone ? ` · ${m.phone}` : null}
            </p>
            {isAdmin ? (
              <div className="toolbar">
                <Form method="post" preventScrollReset>
                  <AuthenticityTokenInput />
                  <input type="hidden" name="userId" value={m.id} />
                  <input type="hidden" name="orgRole" value={m.orgRole === "admin" ? "member" : "admin"} />
                  <button
                    type="submit"
                    name="intent"
                    value="setRole"
                    className="button button--ghost"
                    disabled={busy || (m.orgRole === "admin" && adminCount <= 1)}
                  >
                    {m.orgRole === "admin" ? t("membership.makeMember") : t("membership.makeAdmin")}
                  </button>
                </Form>
                <Form method="post" preventScrollReset>
                  <AuthenticityTokenInput />
                  <input type="hidden" name="userId" value={m.id} />
                  <button
                    type="submit"
                    name="intent"
                    value="remove"
                    className="button button--ghost"
                    disabled={busy || (m.orgRole === "admin" && adminCount <= 1)}
                  >
                    {m.me ? t("membership.leave") : t("membership.remove")}
                  </button>
                </Form>
                <RowError intent={["setRole", "remove"]} target={m.id} />
              </div>
            ) : m.me ? (
              <Form method="post" preventScrollReset>
                <AuthenticityTokenInput />
                <input type="hidden" name="userId" value={m.id} />
                <button type="submit" name="intent" value="remove" className="button button--ghost" disabled={busy}>
                  {t("membership.leave")}
                </button>
                <RowError intent="remove" target={m.id} />
              </Form>
            ) : null}
          </li>
        ))}
      </ul>

      {isAdmin ? (
        <>
          <h2>{t("membership.requests")}</h2>
          {data.requests.length === 0 ? (
            <p className="muted">{t("membership.noRequests")}</p>
          ) : (
            <ul className="card-list" data-testid="join-requests">
              {data.requests.map((r) => (
                <li key={r.id} className="card" data-testid={`request-${r.email}`}>
                  <p>
                    <strong>{r.name}</strong> <span className="muted">{r.email}</span>
                  </p>
                  {r.message ? <p>{r.message}</p> : null}
                  <p className="muted">
                    {t("membership.requestedAt")} <time dateTime={r.createdAt}>{formatDateTime(r.createdAt)}</time>
                  </p>
                  <Form method="post" className="toolbar" preventScrollReset>
                    <AuthenticityTokenInput />
                    <input type="hidden" name="requestId" value={r.id} />
                    <button type="submit" name="intent" value="approve" className="button" disabled={busy}>
                      {t("membership.approve")}
                    </button>
                    <button type="submit" name="intent" value="reject" className="button button--ghost" disabled={busy}>
                      {t("membership.reject")}
                    </button>
                  </Form>
                  <RowError intent={["approve", "reject"]} target={r.id} />
                </li>
              ))}
            </ul>
          )}

          {canInvite ? (
            <>
              <h2>{t("membership.invite")}</h2>
              <Form method="post" className="form-card" {...getFormProps(inviteForm)}>
                <AuthenticityTokenInput />
                <input type="hidden" name="intent" value="invite" />
                <p className="muted">{t("membership.inviteIntro")}</p>
                {inviteForm.errors?.length ? (
                  <div className="form-error">
                    <FieldErrors errors={inviteForm.errors} />
                  </div>
                ) : null}
                <Field id={inviteFields.email.id} label={t("membership.inviteEmail")} errors={inviteFields.email.errors}>
                  <input {...getInputProps(inviteFields.email, { type: "email" })} autoComplete="off" />
                </Field>
                <button type="submit" className="button" disabled={busy}>
                  {t("membership.sendInvite")}
                </button>
              </Form>

              <h2>{t("membership.linkTitle")}</h2>
              <div className="form-card">
                <p className="muted">{t("membership.linkIntro")}</p>
                {newLink ? (
                  <p className="notice" role="status">
                    {t("membership.newLink")} <code data-testid="invitation-link">{newLink}</code>
                  </p>
                ) : null}
                <Form method="post">
                  <AuthenticityTokenInput />
                  <button type="submit" name="intent" value="createLink" className="button button--ghost" disabled={busy}>
                    {t("membership.createLink")}
                  </button>
                </Form>
              </div>

              {data.invitations.length ? (
                <>
                  <h3>{t("membership.openInvitations")}</h3>
                  <ul className="card-list" data-testid="invitations">
                    {data.invitations.map((i) => (
                      <li key={i.id} className="card">
                        <p>
                          {i.email
                            ? t("membership.invitationByEmail", { email: i.email })
                            : t("membership.invitationLink", { count: i.uses })}{" "}
                          <span className="muted">{t("membership.expires", { date: formatDateTime(i.expiresAt) })}</span>
                        </p>
                        <Form method="post" preventScrollReset>
                          <AuthenticityTokenInput />
                          <input type="hidden" name="invitationId" value={i.id} />
                          <button type="submit" name="intent" value="revoke" className="button button--ghost" disabled={busy}>
                            {t("membership.revoke")}
                          </button>
                        </Form>
                        <RowError intent="revoke" target={i.id} />
                      </li>
                    ))}
                  </ul>
                </>
              ) : null}
            </>
          ) : null}
        </>
      ) : null}
      <p>
        <Link to="/account">{t("account.title")}</Link>
      </p>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
