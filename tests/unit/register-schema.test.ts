import { parseWithZod } from "@conform-to/zod";
import { describe, expect, it } from "vitest";
import { RegisterSchema } from "~/schemas/account.ts";

function form(fields: Record<string, string | string[]>) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) fd.append(k, x);
  return parseWithZod(fd, { schema: RegisterSchema });
}

const good = {
  email: "Li.Wen@Example.cn",
  name: "李文",
  password: "Terraces2025",
  confirmPassword: "Terraces2025",
  roles: "seller",
  accountType: "enterprise",
  orgName: "西畴县某科技有限公司",
  creditCode: "91350100m000100y43",
};

describe("registration form schema", () => {
  it("accepts a complete enterprise registration, normalising email and code", () => {
    const r = form(good);
    expect(r.status).toBe("success");
    if (r.status === "success") {
      expect(r.value.email).toBe("li.wen@example.cn");
      expect(r.value.creditCode).toBe("91350100M000100Y43");
      expect(r.value.roles).toEqual(["seller"]);
    }
  });

  it("names each bad field with its own message", () => {
    const r = form({ ...good, email: "nope", password: "password", creditCode: "91350100M000100Y44", roles: [] });
    expect(r.status).toBe("error");
    const errors = r.reply().error!;
    expect(errors.email).toEqual(["errors.email"]);
    expect(errors.password).toEqual(["errors.passwordWeak"]);
    expect(errors.creditCode).toEqual(["errors.uscc.check"]);
    expect(errors.roles).toEqual(["errors.rolesRequired"]);
  });

  it("says a weak password is weak once, whatever it lacks (issue 13, point 17)", () => {
    for (const password of ["abc", "1234", "password", "12345678", "x"]) {
      expect(form({ ...good, password, confirmPassword: password }).reply().error?.password, password).toEqual(["errors.passwordWeak"]);
    }
  });

  it("says when the two passwords differ", () => {
    expect(form({ ...good, confirmPassword: "Terraces2026" }).reply().error).toEqual({
      confirmPassword: ["errors.passwordMismatch"],
    });
  });

  it("needs an organisation name and code for legal entities but not for individuals", () => {
    const org = form({ ...good, orgName: "", creditCode: "" });
    expect(org.reply().error).toMatchObject({ orgName: ["errors.required"], creditCode: ["errors.required"] });
    expect(form({ ...good, accountType: "individual", orgName: "", creditCode: "" }).status).toBe("success");
  });

  it("refuses roles a person may not give themselves", () => {
    expect(form({ ...good, roles: ["admin"] }).status).toBe("error");
    expect(form({ ...good, roles: ["bureau", "buyer"] }).status).toBe("error");
  });
});
