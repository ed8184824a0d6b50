import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { api, call } from "../api/client";
import type { Organization } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { rememberedOrganization, rememberOrganization } from "../lib/orgs";

interface OrganizationsValue {
  /** The signed-in user's organizations; null until loaded (or when signed out). */
  organizations: Organization[] | null;
  /** The organization chosen in the switcher, if it is still one of the user's. */
  currentId: string | null;
  /** Remember an organization as the current one (its id only, in localStorage). */
  choose: (id: string) => void;
  /** Load the list again, e.g. after onboarding, joining or leaving. */
  reload: () => Promise<void>;
}

const OrganizationsContext = createContext<OrganizationsValue | null>(null);

export function OrganizationsProvider({ children }: { children: ReactNode }) {
  const { account } = useAuth();
  const userId = account?.userId ?? null;
  const [organizations, setOrganizations] = useState<Organization[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(() => rememberedOrganization());
  const seq = useRef(0);

  const reload = useCallback(async () => {
    if (!userId) return;
    const mine = ++seq.current;
    const r = await call(api.GET("/api/organizations"));
    if (mine !== seq.current) return;
    if (r.ok) setOrganizations(r.data.organizations ?? []);
  }, [userId]);

  useEffect(() => {
    seq.current++;
    setOrganizations(null);
    if (userId) void reload();
  }, [userId, reload]);

  const choose = useCallback((id: string) => {
    rememberOrganization(id);
    setChosen(id);
  }, []);

  const currentId = organizations && chosen && organizations.some((o) => o.id === chosen) ? chosen : null;

  const value = useMemo(() => ({ organizations, currentId, choose, reload }), [organizations, currentId, choose, reload]);
  return <OrganizationsContext.Provider value={value}>{children}</OrganizationsContext.Provider>;
}

const OUTSIDE: OrganizationsValue = { organizations: null, currentId: null, choose: () => {}, reload: async () => {} };

/** The user's organizations; outside the provider (isolated tests) an empty, inert value. */
export function useOrganizations(): OrganizationsValue {
  return useContext(OrganizationsContext) ?? OUTSIDE;
}
