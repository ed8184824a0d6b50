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
            <nav aria-label="Main">
              <ul className="nav-list">
                <li>
                  <NavLink to="/" end>
                    Home
                  </NavLink>
                </li>
                <li>
                  <NavLink to="/docs/tpp-api">API reference</NavLink>
                </li>
                <li>
                  <NavLink to="/docs/getting-started">Getting started</NavLink>
                </li>
                <li>
                  <NavLink to="/sandbox/customers">Sandbox customers</NavLink>
                </li>
                {account ? (
                  <>
                    <li>
                      <NavLink to="/account" end>
                        My account
                      </NavLink>
                    </li>
                    <li>
                      <NavLink to="/account/password">Change password</NavLink>
                    </li>
                    <li>
                      <NavLink to="/organizations">Organizations</NavLink>
                    </li>
                    {account.operations && (
                      <li>
                        <NavLink to="/ops">Operations</NavLink>
                      </li>
                    )}
                    <OrgSwitcher />
                  </>
                ) : account === null ? (
                  <>
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
          </div>
        </footer>
        {account && <ReauthDialog />}
      </div>
    </OrganizationsProvider>
  );
}
