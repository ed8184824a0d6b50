import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { useAuth } from "../auth/AuthContext";

/** Where operations staff without an authenticator app are sent: nothing else opens for them. */
export const MFA_SETUP_PATH = "/account";

/**
 * Renders children only when signed in; otherwise sends the user to /login?next=<here>.
 * Operations staff who still have to set up two-step sign-in go to its set-up.
 */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { account, signOutNotice } = useAuth();
  const location = useLocation();
  if (account === undefined) {
    return (
      <p className="loading" role="status">
        Loading your account…
      </p>
    );
  }
  if (account === null) {
    if (signOutNotice) return <Navigate to="/login" replace />;
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (account.mfaSetupRequired && location.pathname !== MFA_SETUP_PATH) return <Navigate to={MFA_SETUP_PATH} replace />;
  return <>{children}</>;
}
