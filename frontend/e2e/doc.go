// Package e2e holds the browser end-to-end tests of the developer portal: they start the
// whole local stack (moto, bootstrap, portal with the built SPA) in-process, drive Debian's
// Chromium through chromedp the way a person would (type, click, read text) and assert
// exactly what the pages show.
//
// Run them with `make test`, or after `make frontend` with
//
//	go test -count=1 ./frontend/e2e/
package e2e
