/*
 * The renderer of the TPP API reference: Redoc (redoc 2.5, MIT), in the reference's own
 * document (docs/reference.html), which the portal's /docs/tpp-api frames.
 *
 * Why Redoc rather than Scalar or Stoplight Elements:
 * - React: Redoc 2.5 declares React 16.8 to 19 as peers and is a React component; Scalar's
 *   reference is a Vue application wrapped for React, Stoplight Elements declares React
 *   >=16.8 but pulls a second design system (Mosaic) and its own router.
 * - Offline, no CDN: everything comes from npm and is bundled by Vite into our own files;
 *   Redoc loads no fonts or scripts from elsewhere (Scalar's default theme fetches its
 *   fonts from a CDN unless told not to) and sends no telemetry (Redoc 3 does by default,
 *   and its telemetry package is not on the registry we can reach, so 3.x is not an option).
 * - Size: about 1.1 MB minified (≈ 345 kB gzip), React included, loaded only by the
 *   reference's document; the portal's own bundle does not grow. Scalar's standalone build
 *   and Stoplight Elements are each larger still.
 * - What we lose: a "try it" console. It could not work anyway: the TPP API needs the
 *   app's client certificate, which a browser page cannot present to fetch.
 * Redoc styles itself with styled-components, which inserts <style> elements at run time:
 * the portal's CSP (style-src 'self') refuses them, so Redoc runs in a document of its own
 * whose policy allows inline styles and nothing else more (infra/stacks: ReferenceCSP).
 */
import { RedocStandalone } from "redoc";

export interface RedocReferenceProps {
  /** The OpenAPI document, already loaded from the portal's own origin. */
  spec: object;
  /** Called once Redoc has rendered the document (or failed to). */
  onLoaded?: (error?: Error) => void;
}

export default function RedocReference({ spec, onLoaded }: RedocReferenceProps) {
  return (
    <RedocStandalone
      spec={spec}
      onLoaded={onLoaded}
      options={{
        // No "try it", no download of the document from elsewhere: the page offers its own link.
        hideDownloadButton: true,
        expandResponses: "200,201",
        jsonSampleExpandLevel: 3,
        pathInMiddlePanel: true,
        sortTagsAlphabetically: false,
        hideHostname: false,
        // The frame is the whole window of the reference: its menu starts at the top.
        scrollYOffset: 0,
        theme: { colors: { primary: { main: "#0b5394" } }, typography: { fontFamily: "inherit", headings: { fontFamily: "inherit" } } },
      }}
    />
  );
}
