import { Link } from "react-router";
import { useTitle } from "../lib/hooks";

export function NotFoundPage() {
  useTitle("Page not found");
  return (
    <section className="narrow">
      <h1>Page not found</h1>
      <p>We could not find the page you asked for. It may have moved, or the address may be mistyped.</p>
      <p>
        <Link to="/">Go to the home page</Link>
      </p>
    </section>
  );
}
