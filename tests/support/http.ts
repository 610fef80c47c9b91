/**
 * A tiny browser stand-in for HTTP-level tests: keeps cookies, reads the CSRF token from the
 * page like a form would, and posts urlencoded forms without following redirects.
 */
export class HttpClient {
  private cookies = new Map<string, string>();
  /** `headers` go with every request (e.g. X-Forwarded-For, to be another client IP behind the loopback proxy). */
  constructor(
    private readonly baseURL: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** The headers given at construction (e.g. its X-Forwarded-For), for requests made without this client's helpers. */
  extraHeaders(): Record<string, string> {
    return { ...this.headers };
  }

  /** The Cookie header this client would send (for socket.io handshakes). */
  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private remember(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  cookie(name: string) {
    return this.cookies.get(name);
  }

  async get(path: string): Promise<Response> {
    const res = await fetch(this.baseURL + path, { headers: { ...this.headers, Cookie: this.cookieHeader() }, redirect: "manual" });
    this.remember(res);
    return res;
  }

  /** GETs the page and returns its HTML and the CSRF token of its forms. */
  async page(path: string): Promise<{ res: Response; html: string; csrf: string }> {
    const res = await this.get(path);
    const html = await res.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
    return { res, html, csrf };
  }

  async post(path: string, fields: Record<string, string | string[]>): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
    const res = await fetch(this.baseURL + path, {
      method: "POST",
      headers: { ...this.headers, Cookie: this.cookieHeader(), "Content-Type": "application/x-www-form-urlencoded" },
      body,
      redirect: "manual",
    });
    this.remember(res);
    return res;
  }

  /** Logs in through the real form; returns the response (302 on success). */
  async login(email: string, password: string): Promise<Response> {
    const { csrf } = await this.page("/login");
    return this.post("/login", { csrf, email, password });
  }
}
