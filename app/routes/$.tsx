import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";

/**
 * Catch-all: an unknown address is answered by this route's loader, so the root loader runs and
 * the 404 page keeps the site's header (language, login) instead of a bare error document.
 */
export function loader() {
  throw new Response("Not Found", { status: 404 });
}

export default function NotFound() {
  return null;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
