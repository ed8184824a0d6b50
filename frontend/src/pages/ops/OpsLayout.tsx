import { NavLink, Outlet } from "react-router";
import { useAuth } from "../../auth/AuthContext";
import { useTitle } from "../../lib/hooks";

/** The operations console: only for accounts with operations rights (the server checks too). */
export function OpsLayout() {
  const { account } = useAuth();
  if (!account?.operations) return <NotForYou />;
  return (
    <>
      <nav aria-label="Operations console" className="tabs">
        <ul>
          <li>
            <NavLink id="ops-tab-inbox" to="/ops" end>
              Inbox
            </NavLink>
          </li>
          <li>
            <NavLink id="ops-tab-organizations" to="/ops/organizations">
              Organizations
            </NavLink>
          </li>
          <li>
            <NavLink id="ops-tab-audit" to="/ops/audit">
              Audit trail
            </NavLink>
          </li>
        </ul>
      </nav>
      <Outlet />
    </>
  );
}

function NotForYou() {
  useTitle("Operations console");
  return (
    <section className="narrow">
      <h1>Operations console</h1>
      <div id="ops-forbidden" className="panel panel--info" role="status">
        <p>
          <strong>The operations console is for the bank's operations staff.</strong>
        </p>
        <p>Your account does not have operations rights. If you need them, ask the bank's portal administrators.</p>
      </div>
    </section>
  );
}
