/*
 * The renderer of the TPP API reference: Redoc (redoc 2.5, MIT), loaded as its own chunk
 * only on /docs/tpp-api.
 *
 * Why Redoc rather than Scalar or Stoplight Elements:
 * - React: Redoc 2.5 declares React 16.8 to 19 as peers and is a React component; Scalar's
 *   reference is a Vue application wrapped for React, Stoplight Elements declares React
 *   >=16.8 but pulls a second design system (Mosaic) and its own router.
 * - Offline, no CDN: everything comes from npm and is bundled by Vite into our own files;
 *   Redoc loads no fonts or scripts from elsewhere (Scalar's default theme fetches its
 *   fonts from a CDN unless told not to) and sends no telemetry (Redoc 3 does by default,
 *   and its telemetry package is not on the registry we can reach, so 3.x is not an option).
 * - Size: the chunk is about 1 MB minified (≈ 330 kB gzip), loaded only by this page;
 *   Scalar's standalone build and Stoplight Elements are each two to three times that.
 * - What we lose: a "try it" console. It could not work anyway: the TPP API needs the
 *   app's client certificate, which a browser page cannot present to fetch.
 * Redoc styles itself with styled-components, which inserts its rules at run time: the
 * deployed portal's CSP must allow that on this page (see the report of this change).
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
        // The portal's own header is fixed-free; Redoc's sticky menu starts at the top.
        scrollYOffset: 0,
        theme: { colors: { primary: { main: "#0b5394" } }, typography: { fontFamily: "inherit", headings: { fontFamily: "inherit" } } },
      }}
    />
  );
}
