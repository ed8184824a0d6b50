import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { useAuth } from "../auth/AuthContext";

/** Renders children only when signed in; otherwise sends the user to /login?next=<here>. */
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
  return <>{children}</>;
}
