package stacks_test

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/routes"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// eventsDir holds one sample event per function, for `sam local invoke` against the
// synthesized templates (the shared/portal/wiring tests push the same files through the handlers).
const eventsDir = "../../events"

func readEvent(t *testing.T, name string, v interface{}) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(eventsDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("events/%s.json: %v", name, err)
	}
}

// TestSampleEventsMatchTheTemplates checks that each sample event is what the deployed API
// would send the function SAM finds by its logical ID in the template: a portal route's
// event is an HTTP API request of a route key the portal API has, on its $default stage;
// a job's event is a scheduled event; the authorizer's event is a REST API REQUEST
// authorization on the TPP API's stage and catch-all resource, carrying the authorizer's
// identity source and the client certificate as API Gateway's mutual TLS describes it.
func TestSampleEventsMatchTheTemplates(t *testing.T) {
	s := synth(t)
	routeKeys := map[string]bool{}
	for _, r := range apiResources(t, s, "AWS::ApiGatewayV2::Route") {
		routeKeys[str(props(r)["RouteKey"])] = true
	}
	functions := apiResources(t, s, "AWS::Lambda::Function")
	for _, rt := range stacks.DeployedRoutes() {
		t.Run(rt.Name, func(t *testing.T) {
			var ev events.APIGatewayV2HTTPRequest
			readEvent(t, rt.Name, &ev)
			if _, ok := functions[stacks.FunctionLogicalID(rt.Name)]; !ok {
				t.Errorf("the portal API template has no %s", stacks.FunctionLogicalID(rt.Name))
			}
			if ev.Version != "2.0" || !routeKeys[ev.RouteKey] || ev.RequestContext.RouteKey != ev.RouteKey {
				t.Errorf("event version %q, route key %q (context %q): not a request of a deployed route", ev.Version, ev.RouteKey, ev.RequestContext.RouteKey)
			}
			if ev.RouteKey != rt.Method+" "+rt.Path || ev.RequestContext.HTTP.Method != rt.Method || ev.RequestContext.Stage != "$default" {
				t.Errorf("event %s %s on stage %q, want %s %s on $default", ev.RequestContext.HTTP.Method, ev.RouteKey, ev.RequestContext.Stage, rt.Method, rt.Path)
			}
			if !pathMatches(rt.Path, ev.RawPath) || ev.RequestContext.HTTP.Path != ev.RawPath {
				t.Errorf("raw path %q (context %q) is not a path of %s", ev.RawPath, ev.RequestContext.HTTP.Path, rt.Path)
			}
			if ev.RequestContext.RequestID == "" {
				t.Error("no request ID: the access logs and the handlers' logs carry it")
			}
		})
	}
	// The TPP area's browser routes: HTTP API requests of the portal API's routes.
	for _, rt := range tpproutes.Browser {
		t.Run(rt.Name, func(t *testing.T) {
			var ev events.APIGatewayV2HTTPRequest
			readEvent(t, rt.Name, &ev)
			if _, ok := functions[stacks.FunctionLogicalID(rt.Name)]; !ok {
				t.Errorf("the portal API has no %s", stacks.FunctionLogicalID(rt.Name))
			}
			if ev.Version != "2.0" || !routeKeys[ev.RouteKey] || ev.RouteKey != rt.Pattern() || ev.RequestContext.HTTP.Method != rt.Method || ev.RawPath != rt.Path {
				t.Errorf("event %s %s (%s): not a request of the route %s", ev.RequestContext.HTTP.Method, ev.RawPath, ev.RouteKey, rt.Pattern())
			}
		})
	}
	// The TPP API's routes: REST API proxy events of their methods, with the client
	// certificate, and the authorizer's context where the method has the authorizer.
	for _, rt := range tpproutes.Deployed() {
		t.Run(rt.Name, func(t *testing.T) {
			var ev events.APIGatewayProxyRequest
			readEvent(t, rt.Name, &ev)
			if _, ok := resourcesOf(t, s.tppAPI, s.tppGroups, "AWS::Lambda::Function")[stacks.FunctionLogicalID(rt.Name)]; !ok {
				t.Errorf("no TPP API template has %s", stacks.FunctionLogicalID(rt.Name))
			}
			var found bool
			for _, m := range tmplResources(s.tppAPI, "AWS::ApiGateway::Method") {
				p := props(m)
				found = found || str(p["HttpMethod"]) == rt.Method && fullPath(s.tppAPI, ref(p["ResourceId"])) == rt.Path &&
					(str(p["AuthorizationType"]) == "CUSTOM") == (ev.RequestContext.Authorizer != nil)
			}
			if !found {
				t.Errorf("the TPP API has no method %s %s authorized as the event says (authorizer context %v)", rt.Method, rt.Path, ev.RequestContext.Authorizer != nil)
			}
			if ev.Resource != rt.Path || ev.HTTPMethod != rt.Method || ev.RequestContext.Stage != stacks.TPPStageName || ev.RequestContext.Identity.ClientCert == nil {
				t.Errorf("event %s %s on stage %q, want %s %s on %s with a client certificate", ev.HTTPMethod, ev.Resource, ev.RequestContext.Stage, rt.Method, rt.Path, stacks.TPPStageName)
			}
		})
	}
	for _, job := range routes.Jobs {
		t.Run(job.Name, func(t *testing.T) {
			var ev events.CloudWatchEvent
			readEvent(t, job.Name, &ev)
			if ev.Source != "aws.events" || ev.DetailType != "Scheduled Event" {
				t.Errorf("event %s/%s, want a scheduled event", ev.Source, ev.DetailType)
			}
			if _, ok := functions[stacks.FunctionLogicalID(job.Name)]; !ok {
				t.Errorf("the portal API template has no %s", stacks.FunctionLogicalID(job.Name))
			}
		})
	}
	for _, name := range tpproutes.Authorizers {
		t.Run(name, func(t *testing.T) {
			var ev events.APIGatewayCustomAuthorizerRequestTypeRequest
			readEvent(t, name, &ev)
			if _, ok := tmplResources(s.tppAPI, "AWS::Lambda::Function")[stacks.FunctionLogicalID(name)]; !ok {
				t.Errorf("the TPP API template has no %s", stacks.FunctionLogicalID(name))
			}
			if ev.Type != "REQUEST" {
				t.Errorf("type %q, want REQUEST", ev.Type)
			}
			// The authorizer runs only when its identity source is present.
			auth := authorizerOf(t, s.tppAPI, name)
			source := strings.TrimPrefix(str(props(auth)["IdentitySource"]), "method.request.header.")
			var found bool
			for k := range ev.Headers {
				found = found || strings.EqualFold(k, source)
			}
			if !found {
				t.Errorf("the event lacks the identity source header %s", source)
			}
			var paths []string
			for _, r := range tmplResources(s.tppAPI, "AWS::ApiGateway::Resource") {
				paths = append(paths, "/"+str(props(r)["PathPart"]))
			}
			if ev.Resource != "/{proxy+}" || ev.RequestContext.ResourcePath != ev.Resource || !strings.Contains(strings.Join(paths, " "), ev.Resource) {
				t.Errorf("resource %q (context %q), want the catch-all of %v", ev.Resource, ev.RequestContext.ResourcePath, paths)
			}
			if ev.RequestContext.Stage != stacks.TPPStageName || ev.RequestContext.HTTPMethod != ev.HTTPMethod || ev.RequestContext.Path != ev.Path {
				t.Errorf("context stage %q, %s %s; want stage %s and the event's method and path", ev.RequestContext.Stage,
					ev.RequestContext.HTTPMethod, ev.RequestContext.Path, stacks.TPPStageName)
			}
			wantARN := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s%s", s.cfg.Region, ev.RequestContext.AccountID,
				ev.RequestContext.APIID, ev.RequestContext.Stage, ev.HTTPMethod, ev.Path)
			if ev.MethodArn != wantARN {
				t.Errorf("methodArn %s, want %s", ev.MethodArn, wantARN)
			}
			checkClientCert(t, ev.RequestContext.Identity.ClientCert)
		})
	}
	// The portal's routes of the TPP API's origin: a REST API proxy event of the method
	// the TPP API has for the route, with the client certificate mutual TLS passed on.
	for _, rt := range routes.Portal {
		if rt.Auth != route.ClientCertificate {
			continue
		}
		t.Run(rt.Name, func(t *testing.T) {
			var ev events.APIGatewayProxyRequest
			readEvent(t, rt.Name, &ev)
			fns := resourcesOf(t, s.tppAPI, s.tppGroups, "AWS::Lambda::Function")
			if _, ok := fns[stacks.FunctionLogicalID(rt.Name)]; !ok {
				t.Errorf("no TPP API template has %s", stacks.FunctionLogicalID(rt.Name))
			}
			var found bool
			for _, m := range tmplResources(s.tppAPI, "AWS::ApiGateway::Method") {
				found = found || str(props(m)["HttpMethod"]) == rt.Method && str(props(m)["AuthorizationType"]) == "NONE" && !strings.Contains(fmt.Sprint(props(m)["Integration"]), "MOCK")
			}
			if !found {
				t.Errorf("the TPP API has no %s method without the authorizer", rt.Method)
			}
			if ev.Resource != rt.Path || ev.RequestContext.ResourcePath != rt.Path || ev.HTTPMethod != rt.Method || ev.RequestContext.Stage != stacks.TPPStageName {
				t.Errorf("event %s %s on stage %q, want %s %s on %s", ev.HTTPMethod, ev.Resource, ev.RequestContext.Stage, rt.Method, rt.Path, stacks.TPPStageName)
			}
			if ev.RequestContext.Identity.ClientCert == nil {
				t.Fatal("no client certificate")
			}
			checkClientCert(t, *ev.RequestContext.Identity.ClientCert)
		})
	}
}

// checkClientCert checks that the event's description of the client certificate is the
// one API Gateway would give of its PEM: serial number as colon-separated hex, subject and
// issuer, validity in OpenSSL's date format.
func checkClientCert(t *testing.T, c events.APIGatewayCustomAuthorizerRequestTypeRequestIdentityClientCert) {
	t.Helper()
	block, _ := pem.Decode([]byte(c.ClientCertPem))
	if block == nil {
		t.Fatal("clientCert.clientCertPem is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	hex := fmt.Sprintf("%x", cert.SerialNumber)
	if len(hex)%2 == 1 {
		hex = "0" + hex
	}
	var octets []string
	for i := 0; i < len(hex); i += 2 {
		octets = append(octets, hex[i:i+2])
	}
	if want := strings.Join(octets, ":"); !strings.EqualFold(c.SerialNumber, want) {
		t.Errorf("serialNumber %q, the certificate's is %s", c.SerialNumber, want)
	}
	if !strings.Contains(c.SubjectDN, "CN="+cert.Subject.CommonName) || !strings.Contains(c.IssuerDN, "CN="+cert.Issuer.CommonName) {
		t.Errorf("subjectDN %q, issuerDN %q; the certificate's are %s and %s", c.SubjectDN, c.IssuerDN, cert.Subject, cert.Issuer)
	}
	const openssl = "Jan _2 15:04:05 2006 GMT"
	if got, want := c.Validity.NotBefore, cert.NotBefore.UTC().Format(openssl); got != want {
		t.Errorf("validity.notBefore %q, the certificate's is %q", got, want)
	}
	if got, want := c.Validity.NotAfter, cert.NotAfter.UTC().Format(openssl); got != want {
		t.Errorf("validity.notAfter %q, the certificate's is %q", got, want)
	}
	if !cert.NotAfter.After(time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("the sample certificate expired at %s, before the event's request time", cert.NotAfter)
	}
}

// pathMatches is true when path is a path of the route pattern ({name} matching one
// non-empty segment).
func pathMatches(pattern, path string) bool {
	want, got := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(want) != len(got) {
		return false
	}
	for i, w := range want {
		if strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}") {
			if got[i] == "" {
				return false
			}
		} else if got[i] != w {
			return false
		}
	}
	return true
}

// TestSAMConfig checks that samconfig.toml's templates are templates the app writes: the
// portal API's by default, the TPP API's under the tpp config environment.
func TestSAMConfig(t *testing.T) {
	s := synth(t)
	raw, err := os.ReadFile("../../samconfig.toml")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{} // config environment -> template file
	section := ""
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if m := regexp.MustCompile(`^\[([a-z_]+)\.`).FindStringSubmatch(line); m != nil {
			section = m[1]
		}
		if m := regexp.MustCompile(`^template_file\s*=\s*"([^"]+)"$`).FindStringSubmatch(line); m != nil {
			got[section] = m[1]
		}
	}
	want := map[string]string{
		"default": "cdk.out/" + *s.stacks.PortalAPI.StackName() + ".template.json",
		"tpp":     "cdk.out/" + *s.stacks.TPPAPI.StackName() + ".template.json",
	}
	for env, file := range want {
		if got[env] != file {
			t.Errorf("[%s] template_file = %q, want %q", env, got[env], file)
		}
	}
	if *s.stacks.PortalAPI.StackName() != "devportal-portal-api" || *s.stacks.TPPAPI.StackName() != "devportal-tpp-api" {
		t.Errorf("stack names %s, %s: samconfig.toml, the Makefile and the README name them", *s.stacks.PortalAPI.StackName(), *s.stacks.TPPAPI.StackName())
	}
}
