import { useEffect } from "react";
import { NavLink, useLocation } from "react-router";

/** One tab of a page: its URL is the page's base path, plus `/<id>` unless it is the default tab. */
export interface SectionTab {
  id: string;
  label: string;
}

/**
 * The tab bar of a page split into sub-routes: plain links, so each section has its own URL
 * (shareable, and the browser's back button returns to the previous section), with
 * aria-current on the open one. The first tab is the default, at the base path itself.
 */
export function SectionTabs({ label, base, tabs, idPrefix }: { label: string; base: string; tabs: SectionTab[]; idPrefix: string }) {
  return (
    <nav aria-label={label} className="tabs tabs--page" id={`${idPrefix}-tabs`}>
      <ul>
        {tabs.map((t, i) => (
          <li key={t.id}>
            <NavLink id={`${idPrefix}-tab-${t.id}`} to={i === 0 ? base : `${base}/${t.id}`} end>
              {t.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The tab a sub-route names: the default (first) tab when it names none, null when it names no tab of the list. */
export function tabOf<T extends SectionTab>(tabs: T[], segment: string | undefined): T | null {
  if (!segment) return tabs[0] ?? null;
  return tabs.find((t) => t.id === segment) ?? null;
}

/**
 * Scrolls to the element the URL's fragment names once the page has it, so a link to a part
 * of a tab (…/apps/x#api-key) lands there, as a link into a static page would.
 */
export function useHashScroll(ready: boolean) {
  const { hash, pathname } = useLocation();
  useEffect(() => {
    if (ready && hash.length > 1) document.getElementById(decodeURIComponent(hash.slice(1)))?.scrollIntoView?.();
  }, [ready, hash, pathname]);
}
