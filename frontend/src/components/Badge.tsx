import { ENVIRONMENT_LABEL, statusTone } from "../lib/orgs";

/** A status in words, coloured by tone; the words carry the meaning, not the colour. */
export function StatusBadge({ status, labels, id }: { status: string; labels: Record<string, string>; id?: string }) {
  return (
    <span id={id} className={`badge badge--${statusTone(status)}`} data-status={status}>
      {labels[status] ?? status}
    </span>
  );
}

export function EnvironmentBadge({ environment }: { environment: string }) {
  return <span className={`badge badge--env badge--${environment === "production" ? "production" : "sandbox"}`}>{ENVIRONMENT_LABEL[environment] ?? environment}</span>;
}
