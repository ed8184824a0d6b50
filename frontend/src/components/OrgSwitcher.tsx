import { useEffect, useId, useRef, useState } from "react";
import { Link, useLocation } from "react-router";
import { ORG_STATUS_LABEL } from "../lib/orgs";
import { useOrganizations } from "../orgs/OrganizationsContext";
import { EnvironmentBadge } from "./Badge";

/**
 * The header's organization switcher: a button that opens a list of links, one per
 * organization (name, environment, and status unless active). The organization shown
 * on an /organizations/:orgId page becomes the remembered choice.
 */
export function OrgSwitcher() {
  const { organizations, currentId, choose } = useOrganizations();
  const location = useLocation();
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLLIElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuId = useId();

  // Visiting an organization's page makes it the current one.
  const match = /^\/organizations\/([^/]+)/.exec(location.pathname);
  const visited = match && match[1] !== "onboard" ? decodeURIComponent(match[1]) : null;
  useEffect(() => {
    if (visited && organizations?.some((o) => o.id === visited)) choose(visited);
  }, [visited, organizations, choose]);

  // Close on navigation, on Escape and on a click elsewhere.
  useEffect(() => setOpen(false), [location.pathname]);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (rootRef.current && !rootRef.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);

  if (!organizations || organizations.length === 0) return null;
  const current = organizations.find((o) => o.id === currentId) ?? null;

  return (
    <li
      ref={rootRef}
      className="org-switcher"
      onKeyDown={(e) => {
        if (e.key === "Escape" && open) {
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
    >
      <button
        ref={buttonRef}
        id="org-switcher"
        type="button"
        className="nav-button org-switcher-button"
        aria-expanded={open}
        aria-controls={menuId}
        title={current ? current.name : undefined}
        onClick={() => setOpen((v) => !v)}
      >
        <span className="visually-hidden">Organization: </span>
        {current ? current.name : "Choose an organization"}
        {current && current.environment === "sandbox" && <span className="org-switcher-env"> · sandbox</span>}
        <span aria-hidden="true"> ▾</span>
      </button>
      <div id={menuId} className="org-switcher-menu" hidden={!open}>
        <ul id="org-switcher-menu">
          {organizations.map((o) => (
            <li key={o.id}>
              <Link
                to={`/organizations/${encodeURIComponent(o.id)}`}
                aria-current={o.id === currentId ? "true" : undefined}
                onClick={() => choose(o.id)}
                data-org-id={o.id}
              >
                <span className="org-switcher-name">{o.name}</span> <EnvironmentBadge environment={o.environment} />
                {o.status !== "ACTIVE" && <span className="org-switcher-status"> {ORG_STATUS_LABEL[o.status] ?? o.status}</span>}
              </Link>
            </li>
          ))}
        </ul>
        <p className="org-switcher-all">
          <Link to="/organizations">All organizations</Link>
        </p>
      </div>
    </li>
  );
}
