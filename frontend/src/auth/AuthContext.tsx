import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { api, call } from "../api/client";
import type { Account, LoginResponse } from "../api/types";

/** How often the session is refreshed while signed in and the tab is visible. */
export const REFRESH_INTERVAL_MS = 10 * 60 * 1000;
const TICK_MS = 30 * 1000;

interface AuthValue {
  /** undefined while the first GET /api/account is in flight. */
  account: Account | null | undefined;
  /** Set by a sign-in whose response asked to warn about password expiry. */
  expiryWarning: boolean;
  /** Whether the local stack offers its mailbox (GET /api/dev says so; it is absent when deployed). */
  devMail: boolean;
  signedIn: (response: LoginResponse) => void;
  setAccount: (account: Account) => void;
  /** Forget the session locally (e.g. after a 401). */
  signedOut: () => void;
  /** Calls the logout endpoint, then forgets the session. */
  logout: () => Promise<void>;
  dismissExpiryWarning: () => void;
  /** True after the user signed out with the Sign out button, until the sign-in page shows the notice. */
  signOutNotice: boolean;
  clearSignOutNotice: () => void;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [account, setAccountState] = useState<Account | null | undefined>(undefined);
  const [expiryWarning, setExpiryWarning] = useState(false);
  const [devMail, setDevMail] = useState(false);
  const [signOutNotice, setSignOutNotice] = useState(false);
  const lastRefresh = useRef(0);

  useEffect(() => {
    let live = true;
    void call(api.GET("/api/account")).then((r) => {
      if (!live) return;
      if (r.ok) {
        lastRefresh.current = Date.now();
        setAccountState(r.data);
      } else {
        setAccountState(null);
      }
    });
    void call(api.GET("/api/dev")).then((r) => {
      if (live) setDevMail(r.ok && r.data?.mailbox === true);
    });
    return () => {
      live = false;
    };
  }, []);

  const signedIn = useCallback((response: LoginResponse) => {
    lastRefresh.current = Date.now();
    setAccountState(response.account);
    setExpiryWarning(response.passwordExpiryWarning);
    setSignOutNotice(false);
  }, []);

  const setAccount = useCallback((a: Account) => setAccountState(a), []);

  const signedOut = useCallback(() => {
    setAccountState(null);
    setExpiryWarning(false);
  }, []);

  const logout = useCallback(async () => {
    await call(api.POST("/api/auth/logout"));
    setSignOutNotice(true);
    signedOut();
  }, [signedOut]);

  const dismissExpiryWarning = useCallback(() => setExpiryWarning(false), []);
  const clearSignOutNotice = useCallback(() => setSignOutNotice(false), []);

  // Keep the session alive: refresh every REFRESH_INTERVAL_MS while signed in and visible.
  const isSignedIn = !!account;
  useEffect(() => {
    if (!isSignedIn) return;
    let inFlight = false;
    const maybeRefresh = async () => {
      if (inFlight || document.visibilityState !== "visible") return;
      if (Date.now() - lastRefresh.current < REFRESH_INTERVAL_MS) return;
      inFlight = true;
      try {
        const r = await call(api.POST("/api/auth/refresh"));
        if (r.ok) {
          lastRefresh.current = Date.now();
          setAccountState(r.data.account);
        } else if (r.status === 401) {
          signedOut();
        }
      } finally {
        inFlight = false;
      }
    };
    const timer = window.setInterval(() => void maybeRefresh(), TICK_MS);
    const onVisible = () => void maybeRefresh();
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [isSignedIn, signedOut]);

  const value = useMemo<AuthValue>(
    () => ({ account, expiryWarning, devMail, signedIn, setAccount, signedOut, logout, dismissExpiryWarning, signOutNotice, clearSignOutNotice }),
    [account, expiryWarning, devMail, signedIn, setAccount, signedOut, logout, dismissExpiryWarning, signOutNotice, clearSignOutNotice],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

/** The auth context, or null outside <AuthProvider> (for hooks that also run in isolated tests). */
export function useOptionalAuth(): AuthValue | null {
  return useContext(AuthContext);
}

export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error("useAuth must be used inside <AuthProvider>");
  return v;
}
