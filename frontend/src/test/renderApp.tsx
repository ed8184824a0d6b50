import { render } from "@testing-library/react";
import { MemoryRouter, useLocation } from "react-router";
import { AppRoutes } from "../App";
import { AuthProvider } from "../auth/AuthContext";

/** Where the app is, as "/path?query"; updated on every render of the router. */
export const location = { current: "", state: null as unknown };

function LocationProbe() {
  const loc = useLocation();
  location.current = loc.pathname + loc.search;
  location.state = loc.state;
  return null;
}

/** The whole app (auth, layout, routes) at `path`. */
export function renderApp(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <AuthProvider>
        <AppRoutes />
        <LocationProbe />
      </AuthProvider>
    </MemoryRouter>,
  );
}
