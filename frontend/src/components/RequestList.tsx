import { Link } from "react-router";
import type { ApprovalRequest } from "../api/types";
import { stepText } from "../lib/apps";
import { formatDateTime, timeLeft } from "../lib/format";
import { REQUEST_KIND_LABEL, REQUEST_STATUS_LABEL } from "../lib/orgs";
import { StatusBadge } from "./Badge";

/** A request's history, oldest first: when, who, what, and the comment if any. */
export function RequestHistory({ id, history }: { id: string; history: ApprovalRequest["history"] }) {
  if (!history || history.length === 0) return <p className="muted">No history yet.</p>;
  return (
    <ol id={id} className="history">
      {history.map((e, i) => (
        <li key={i}>
          <time dateTime={e.at}>{formatDateTime(e.at)}</time> — <span className="history-action">{e.action}</span> by{" "}
          <span className="history-actor">{e.actor}</span>
          {e.comment && (
            <>
              : <q className="history-comment">{e.comment}</q>
            </>
          )}
        </li>
      ))}
    </ol>
  );
}

interface RequestListProps {
  id: string;
  requests: readonly ApprovalRequest[];
  /** Where each request links to (the operations console); none for members. */
  linkTo?: (r: ApprovalRequest) => string;
}

/** Requests with their status and history, newest first as the server sends them. */
export function RequestList({ id, requests, linkTo }: RequestListProps) {
  if (requests.length === 0) return <p id={`${id}-empty`}>No requests yet.</p>;
  return (
    <ul id={id} className="request-list">
      {requests.map((r) => (
        <li key={r.id} className="request-item" data-request-id={r.id}>
          <h3>
            {linkTo ? <Link to={linkTo(r)}>{REQUEST_KIND_LABEL[r.kind] ?? r.kind}</Link> : (REQUEST_KIND_LABEL[r.kind] ?? r.kind)}{" "}
            <StatusBadge id={`request-${r.id}-status`} status={r.status} labels={REQUEST_STATUS_LABEL} />
          </h3>
          <p>{r.summary}</p>
          {r.status === "PENDING" && stepText(r) && (
            <p id={`request-${r.id}-step`} className="request-step">
              Waiting for the bank: {stepText(r)}
            </p>
          )}
          <p className="muted">
            Submitted {formatDateTime(r.createdAt)} by {r.requesterEmail}
            {r.status === "PENDING" && <> · expires {formatDateTime(r.expiresAt)} ({timeLeft(r.expiresAt)})</>}
          </p>
          <details>
            <summary>History</summary>
            <RequestHistory id={`request-${r.id}-history`} history={r.history} />
          </details>
        </li>
      ))}
    </ul>
  );
}
