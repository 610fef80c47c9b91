import { apiError, apiHandler } from "~/web/api/envelope.server.ts";

/** Any other /api/v1 address: a JSON 404 in the API's envelope rather than the site's HTML page. */
export const loader = apiHandler(async () => apiError(404, "apiErrors.noSuchEndpoint"));
export const action = loader;
