import { useEffect, useRef, useState } from "react";
import { Link, NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { useAuth } from "../auth/AuthContext";
import { OrganizationsProvider } from "../orgs/OrganizationsContext";
import { OrgSwitcher } from "./OrgSwitcher";
import { ReauthDialog } from "./ReauthDialog";

export function Layout() {
  const { account, devMail, logout } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [signingOut, setSigningOut] = useState(false);
  // On narrow screens the navigation folds behind a menu button; any navigation closes it.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [location.pathname]);
  const firstRender = useRef(true);

  // After client-side navigation, move focus to the new page's heading so screen
  // reader and keyboard users start at the top of the new content.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const h1 = document.querySelector<HTMLElement>("main h1");
    if (h1) {
      h1.setAttribute("tabindex", "-1");
      h1.focus();
    }
  }, [location.pathname]);

  const onSignOut = async () => {
    setSigningOut(true);
    try {
      await logout();
    } finally {
      setSigningOut(false);
    }
    navigate("/login");
  };

  return (
    <OrganizationsProvider>
      <div className="page">
        <a className="skip-link" href="#main">
          Skip to main content
        </a>
        <header className="site-header">
          <div className="container header-inner">
            <Link to="/" className="brand">
              <span className="brand-mark" aria-hidden="true">
                ◆
              </span>
              Open Banking Developer Portal
            </Link>
            <button
              id="menu-button"
              type="button"
              className="nav-button menu-button"
              aria-expanded={menuOpen}
              aria-controls="main-nav"
              onClick={() => setMenuOpen((v) => !v)}
            >
              {menuOpen ? "Close menu" : "Menu"}
            </button>
            <nav id="main-nav" aria-label="Main" className={menuOpen ? "site-nav site-nav--open" : "site-nav"}>
              <ul className="nav-list">
                <li>
                  <NavLink to="/apis">APIs</NavLink>
                </li>
                <li>
                  <NavLink to="/docs">Docs</NavLink>
                </li>
                {account ? (
                  <>
                    <li>
                      <NavLink to="/organizations">Organizations</NavLink>
                    </li>
                    {account.operations && (
                      <li>
                        <NavLink to="/ops">Operations</NavLink>
                      </li>
                    )}
                    <OrgSwitcher />
                    <li>
                      <NavLink to="/account">My account</NavLink>
                    </li>
                  </>
                ) : account === null ? (
                  <>
                    <li>
                      <NavLink to="/status">Status</NavLink>
                    </li>
                    <li>
                      <NavLink to="/help">Help</NavLink>
                    </li>
                    <li>
                      <NavLink to="/login">Sign in</NavLink>
                    </li>
                    <li>
                      <NavLink to="/signup">Sign up</NavLink>
                    </li>
                  </>
                ) : null}
                {devMail && (
                  <li>
                    <NavLink to="/dev/mail">Dev mailbox</NavLink>
                  </li>
                )}
                {account && (
                  <li>
                    <button id="signout" type="button" className="nav-button" onClick={onSignOut} disabled={signingOut}>
                      Sign out
                    </button>
                  </li>
                )}
              </ul>
            </nav>
          </div>
        </header>
        <main id="main" className="container main" tabIndex={-1}>
          <Outlet />
        </main>
        <footer className="site-footer">
          <div className="container footer-inner">
            <p>Open Banking Developer Portal — Berlin Group NextGenPSD2 APIs for third-party providers.</p>
            <p>Sandbox data is fictitious. Production access requires a valid eIDAS certificate and regulatory authorisation.</p>
            <nav aria-label="Help">
              <ul className="footer-links">
                <li>
                  <Link to="/docs">Documentation</Link>
                </li>
                <li>
                  <Link to="/status">Sandbox status</Link>
                </li>
                <li>
                  <Link to="/help">Help and support</Link>
                </li>
              </ul>
            </nav>
          </div>
        </footer>
        {account && <ReauthDialog />}
      </div>
    </OrganizationsProvider>
  );
}
