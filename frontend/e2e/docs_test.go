package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestTPPAPIReference: anyone opens "API reference" from the navigation and reads the
// TPP API's own description, rendered by Redoc in the browser from the portal's copy of
// the document: the account list is there as GET /v1/accounts with its summary.
func TestTPPAPIReference(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	p.open("/")
	p.click(`nav a[href="/docs/tpp-api"]`)
	p.waitPath("/docs/tpp-api")
	p.expectText("main h1", "TPP API reference")
	// Redoc calls back once it has rendered the document; each operation is a section
	// named after its operationId.
	const op = `[id="operation/ais-accounts"]`
	var text string
	p.do("wait for the rendered reference",
		chromedp.WaitVisible(`#tpp-api-reference[data-rendered="yes"]`, chromedp.ByQuery),
		chromedp.WaitReady(op, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector(`+js(op)+`).innerText`, &text))
	for _, want := range []string{"The consent's accounts", "GET", "/v1/accounts", "Consent-ID", "withBalance"} {
		if !strings.Contains(text, want) {
			p.fatalf("the operation ais-accounts shows %.600q, without %q", text, want)
		}
	}
	p.expectAbsent("#tpp-api-error")
}
