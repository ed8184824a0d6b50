import { useState } from "react";
import { Link, useParams } from "react-router";
import { api } from "../../api/client";
import type { Member } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormAlert } from "../../components/FormAlert";
import { MembersTable, OpsCertificates, OpsOrganizationFacts, OpsRequests } from "../../components/OpsOrganization";
import { useSuccessMessage } from "../../lib/feedback";
import { useApiForm, useLoad, useTitle } from "../../lib/hooks";

export function OpsOrganizationPage() {
  const { orgId = "" } = useParams();
  const detail = useLoad(() => api.GET("/api/ops/organizations/{orgId}", { params: { path: { orgId } } }), [orgId]);
  const d = detail.data;
  useTitle(d ? `${d.organization.name} (operations)` : "Organization");

  if (!d) {
    return detail.error ? (
      <section className="narrow">
        <h1>{detail.status === 404 ? "Organization not found" : "Organization"}</h1>
        <div id="ops-organization-error" className="panel panel--error" role="alert">
          <p>
            <strong>{detail.error.message}</strong>
          </p>
        </div>
        <p>
          <Link to="/ops/organizations">Back to the organizations</Link>
        </p>
      </section>
    ) : (
      <p className="loading" role="status">
        Loading the organization…
      </p>
    );
  }

  return (
    <>
      <p className="breadcrumb">
        <Link to="/ops/organizations">Organizations</Link>
      </p>
      <h1>{d.organization.name}</h1>
      <section aria-labelledby="facts-heading" className="section">
        <h2 id="facts-heading">Overview</h2>
        <OpsOrganizationFacts detail={d} />
      </section>
      <section aria-labelledby="certs-heading" className="section">
        <h2 id="certs-heading">Certificates</h2>
        <OpsCertificates detail={d} />
      </section>
      <section aria-labelledby="members-heading" className="section">
        <h2 id="members-heading">Members</h2>
        <OpsMembers orgId={orgId} members={d.members} />
      </section>
      <section aria-labelledby="requests-heading" className="section">
        <h2 id="requests-heading">Requests</h2>
        <OpsRequests orgId={orgId} />
      </section>
    </>
  );
}

/**
 * The organization's members, each with a button that resets their two-step sign-in (a
 * member who lost their authenticator app), after a confirmation; the API asks for the
 * password again when it was not entered in the last minutes. Nobody resets their own.
 */
function OpsMembers({ orgId, members }: { orgId: string; members: readonly Member[] }) {
  const { account, signedOut } = useAuth();
  const { busy, error, submit } = useApiForm("mfa-reset");
  const [resetting, setResetting] = useState<Member | null>(null);
  const [status, setStatus] = useSuccessMessage("");

  const reset = async () => {
    const m = resetting;
    setResetting(null);
    if (!m) return;
    setStatus("");
    const r = await submit(() =>
      api.POST("/api/ops/organizations/{orgId}/members/{userId}/mfa-reset", { params: { path: { orgId, userId: m.userId } } }),
    );
    if (r?.ok) setStatus(`Two-step sign-in of ${m.fullName || m.email} is off: they were signed out everywhere and told by email.`);
    else if (r?.status === 401) signedOut();
  };

  return (
    <>
      <FormAlert form="mfa-reset" error={error} />
      <p id="mfa-reset-status" className="saved-plain" role="status">
        {status}
      </p>
      <MembersTable
        id="ops-members-table"
        members={members}
        actions={(m) =>
          m.userId !== account?.userId && (
            <button
              id={`mfa-reset-${m.userId}`}
              type="button"
              className="button button--danger-outline button--small"
              disabled={busy}
              onClick={() => {
                setStatus("");
                setResetting(m);
              }}
            >
              Reset two-step sign-in<span className="visually-hidden"> of {m.fullName || m.email}</span>
            </button>
          )
        }
      />
      <ConfirmDialog
        id="mfa-reset-dialog"
        open={resetting !== null}
        title={resetting ? `Reset the two-step sign-in of ${resetting.fullName || resetting.email}?` : ""}
        confirmLabel="Reset two-step sign-in"
        destructive
        busy={busy}
        onConfirm={() => void reset()}
        onCancel={() => setResetting(null)}
      >
        <p>
          Do this only for a member who lost their authenticator app and whose identity you checked. Their app stops being asked for,
          they are signed out everywhere and told by email; they sign in with their password and set up a new app.
        </p>
      </ConfirmDialog>
    </>
  );
}
