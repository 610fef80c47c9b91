import { parseArgs } from "node:util";
import { CreateTokenSchema } from "~/schemas/api.ts";
import { CLI_ISSUER, createApiToken, listApiTokens, revokeApiToken } from "~/services/accounts/api-tokens.server.ts";
import { DomainError, ValidationError } from "~/utils/errors.ts";
import { ROLES, type Role } from "~/utils/permissions.ts";
import { runCommand } from "../command.ts";
import { bilingual } from "~/web/api/envelope.server.ts";

/**
 * `npm run token -- --role admin --name NAME` — creates an API token and prints it on stdout
 * (only the token, so `TOKEN=$(npm run -s token -- …)` works); everything else goes to stderr.
 * Works while the app runs (it uses the app's services) and while it is stopped.
 */
const USAGE = `Usage:
  npm run token -- --name NAME --role ROLE [--role ROLE …] [--user EMAIL]
  npm run token -- --list
  npm run token -- --revoke TOKEN_ID_OR_PREFIX

Creates an API token for the open data API (/api/v1) and prints it once on stdout.
  --name NAME     what the token is for (1–80 characters); also the default import source
  --role ROLE     ${ROLES.join(", ")}; repeat or separate with commas.
                  Importing needs admin or broker.
  --user EMAIL    a personal token acting as this user (roles default to the user's own)
  --list          list tokens (never the tokens themselves: only their prefixes)
  --revoke X      revoke the token with this id or prefix (e.g. cg_Ab12xyZ)
Exit codes: 0 done, 1 the services could not be reached, 2 bad arguments.`;

function fail(message: string): never {
  console.error(`[token] ${message}\n\n${USAGE}`);
  process.exit(2);
}

function explain(e: ValidationError): string {
  return Object.entries(e.fieldErrors)
    .map(([field, keys]) => {
      const option = field === "userEmail" ? "--user" : field === "roles" ? "--role" : field === "name" ? "--name" : field;
      return `${option}: ${keys.map((k) => bilingual(k)).join("; ")}`;
    })
    .join("\n");
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    options: {
      name: { type: "string" },
      role: { type: "string", multiple: true },
      user: { type: "string" },
      list: { type: "boolean" },
      revoke: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}
try {
  args = parse();
} catch (e) {
  fail((e as Error).message);
}
const { values } = args;
if (values.help) {
  console.error(USAGE);
  process.exit(0);
}

const modes = [values.list, values.revoke !== undefined, values.name !== undefined || !!values.role || values.user !== undefined].filter(
  Boolean,
);
if (modes.length === 0) fail("Say what to do: --name and --role to create a token, --list, or --revoke.");
if (modes.length > 1) fail("Use either --name/--role/--user (create), --list, or --revoke, not several.");

if (values.list) {
  await runCommand("token", async () => {
    const tokens = await listApiTokens(CLI_ISSUER);
    if (tokens.length === 0) console.error("[token] no tokens yet");
    for (const t of tokens) {
      const state = t.revokedAt ? `revoked ${t.revokedAt}` : "active";
      console.log(
        [
          t.id,
          t.prefix,
          JSON.stringify(t.name),
          t.roles.join(","),
          t.user?.email ?? "-",
          `created ${t.createdAt}`,
          `last used ${t.lastUsedAt ?? "never"}`,
          state,
        ].join("\t"),
      );
    }
  });
} else if (values.revoke !== undefined) {
  const target = values.revoke.trim();
  if (!target) fail("--revoke needs a token id or prefix.");
  await runCommand("token", async () => {
    try {
      const t = await revokeApiToken(CLI_ISSUER, target);
      console.error(`[token] revoked "${t.name}" (${t.prefix}…)`);
    } catch (e) {
      if (e instanceof ValidationError) {
        console.error(`[token] ${explain(e)}`);
        process.exitCode = 2;
      } else if (e instanceof DomainError && e.status === 404) {
        console.error(`[token] no token has the id or prefix ${target}`);
        process.exitCode = 2;
      } else throw e;
    }
  });
} else {
  const roles = (values.role ?? [])
    .flatMap((r) => r.split(","))
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length) fail(`Unknown role${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}. Roles are ${ROLES.join(", ")}.`);
  if (values.name === undefined) fail("--name is required: say what the token is for.");
  if (roles.length === 0 && values.user === undefined) fail("Give at least one --role (or --user for a personal token).");
  const input = { name: values.name, roles: roles as Role[], ...(values.user !== undefined ? { userEmail: values.user } : {}) };
  const parsed = CreateTokenSchema.safeParse(input);
  if (!parsed.success) {
    fail(
      parsed.error.issues
        .map((i) => `${i.path[0] === "userEmail" ? "--user" : `--${String(i.path[0])}`}: ${bilingual(i.message)}`)
        .join("\n"),
    );
  }
  await runCommand("token", async () => {
    try {
      const { token, view } = await createApiToken(CLI_ISSUER, input);
      console.log(token);
      console.error(
        `[token] created "${view.name}" (${view.prefix}…) with roles ${view.roles.join(", ")}` +
          (view.user ? `, acting as ${view.user.email}` : "") +
          ". It is shown only this once: store it now.",
      );
    } catch (e) {
      if (e instanceof ValidationError) {
        console.error(`[token] ${explain(e)}`);
        process.exitCode = 2;
      } else throw e;
    }
  });
}
