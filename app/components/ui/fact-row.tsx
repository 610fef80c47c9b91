import type { ReactNode } from "react";

/** One label–value row of a `<dl className="facts">` (listings.css): reads on a phone where a table would scroll. */
export function Row({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <div className="facts__row" data-testid={testId}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
