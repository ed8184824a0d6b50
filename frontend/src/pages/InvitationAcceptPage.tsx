import { useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { api } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { StatusBadge } from "../components/Badge";
import { ErrorReference, FormAlert } from "../components/FormAlert";
import { formatDateTime } from "../lib/format";
import { forgetInvitationToken, invitationToken } from "../lib/linktoken";
import { useApiForm, useLoad, useTitle } from "../lib/hooks";
import { INVITATION_STATUS_LABEL, ROLE_HINT, ROLE_LABEL } from "../lib/orgs";
import { useOrganizations } from "../orgs/OrganizationsContext";

export function InvitationAcceptPage() {
  useTitle("Invitation");
  const location = useLocation();
  const [token] = useState(() => invitationToken(location));
  const navigate = useNavigate();
  const { account, signedOut } = useAuth();
  const { reload } = useOrganizations();
  const invitation = useLoad(() => api.POST("/api/invitations/lookup", { body: { token } }), [token], token !== "");
  const { busy, error, submit } = useApiForm("accept");
  // The way back after signing in or up: the token stays in this tab, out of the URL.
  const here = encodeURIComponent(location.pathname);

  const accept = async () => {
    const r = await submit(() => api.POST("/api/invitations/accept", { body: { token } }));
    if (!r) return;
    if (r.ok) {
      forgetInvitationToken();
      await reload();
      navigate(`/organizations/${encodeURIComponent(r.data.id)}`, {
        state: { notice: `You joined ${r.data.name} as ${ROLE_LABEL[r.data.role ?? ""] ?? r.data.role ?? "a member"}.` },
      });
    } else if (r.status === 401) {
      signedOut();
    }
  };

  if (!token) {
    return (
      <section className="narrow">
        <h1>Invitation</h1>
        <div id="invitation-error" className="panel panel--error" role="alert">
          <p>
            <strong>This link has no invitation in it.</strong> Open the link from the invitation email again, or ask for a new
            invitation.
          </p>
        </div>
      </section>
    );
  }

  const inv = invitation.data;
  return (
    <section className="narrow">
      <h1>{inv ? `Join ${inv.organizationName}` : "Invitation"}</h1>
      {invitation.loading && !inv && (
        <p className="loading" role="status">
          Loading the invitation…
        </p>
      )}
      {invitation.error && !inv && (
        <div id="invitation-error" className="panel panel--error" role="alert">
          <p>
            <strong>{invitation.error.message}</strong>
          </p>
          <p>Ask the organization's owner or an administrator for a new invitation.</p>
          <ErrorReference error={invitation.error} />
        </div>
      )}
      {inv && (
        <>
          <p>You have been invited to join an organization on the Open Banking Developer Portal.</p>
          <dl id="invitation-details" className="details">
            <dt>Organization</dt>
            <dd id="invitation-organization">{inv.organizationName}</dd>
            <dt>Role</dt>
            <dd id="invitation-role">
              {ROLE_LABEL[inv.role] ?? inv.role}
              {ROLE_HINT[inv.role] && <span className="muted"> ({ROLE_HINT[inv.role]})</span>}
            </dd>
            <dt>Invited</dt>
            <dd id="invitation-email">{inv.email}</dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge id="invitation-status" status={inv.status} labels={INVITATION_STATUS_LABEL} />
            </dd>
            <dt>{inv.status === "EXPIRED" ? "Expired" : "Expires"}</dt>
            <dd id="invitation-expiresAt">{formatDateTime(inv.expiresAt)}</dd>
          </dl>

          {inv.status !== "PENDING" ? (
            <div id="invitation-closed" className="panel panel--info after-details" role="status">
              <p>
                {inv.status === "ACCEPTED"
                  ? "This invitation has already been accepted."
                  : inv.status === "REVOKED"
                    ? "This invitation was revoked."
                    : "This invitation has expired."}{" "}
                {inv.status !== "ACCEPTED" && "Ask the organization's owner or an administrator to invite you again."}
              </p>
              {account && inv.status === "ACCEPTED" && (
                <p>
                  <Link to="/organizations">Go to my organizations</Link>
                </p>
              )}
            </div>
          ) : account ? (
            <div className="section after-details">
              {account.email.toLowerCase() !== inv.email.toLowerCase() && (
                <p id="invitation-other-email" className="panel panel--info">
                  This invitation was sent to <strong>{inv.email}</strong>; you are signed in as <strong>{account.email}</strong>.
                </p>
              )}
              <FormAlert form="accept" error={error} />
              <div className="actions">
                <button id="accept-invitation" type="button" className="button button--primary" onClick={() => void accept()} disabled={busy} aria-busy={busy || undefined}>
                  Accept invitation
                </button>
                <Link to="/organizations">Not now</Link>
              </div>
            </div>
          ) : account === null ? (
            <div id="invitation-signin" className="panel panel--info after-details">
              <p>Sign in to accept the invitation, or create an account first if you do not have one.</p>
              <div className="cta">
                <Link id="invitation-login" className="button button--primary" to={`/login?next=${here}`}>
                  Sign in
                </Link>
                <Link id="invitation-signup" className="button button--secondary" to={`/signup?next=${here}&email=${encodeURIComponent(inv.email)}`}>
                  Create an account
                </Link>
              </div>
            </div>
          ) : null}
        </>
      )}
    </section>
  );
}
