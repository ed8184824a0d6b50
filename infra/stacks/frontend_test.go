package stacks_test

import (
	"encoding/json"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/stacks"
)

// AWS-managed CloudFront policies, by the IDs CloudFront gives them.
const (
	cachingOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	cachingDisabled  = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
)

// frontendResources are the frontend stack's resources of type typ, by logical ID.
func frontendResources(t *testing.T, s *synthesized, typ string) map[string]map[string]interface{} {
	t.Helper()
	out := map[string]map[string]interface{}{}
	for id, r := range *s.frontend.FindResources(jsii.String(typ), nil) {
		out[id] = *r
	}
	return out
}

// distributionConfig is the one distribution's DistributionConfig.
func distributionConfig(t *testing.T, s *synthesized) map[string]interface{} {
	t.Helper()
	_, d := only(t, s.frontend, "AWS::CloudFront::Distribution")
	cfg, _ := props(d)["DistributionConfig"].(map[string]interface{})
	return cfg
}

// siteBucket is the logical ID of the bucket the distribution's S3 origin reads.
func siteBucket(t *testing.T, s *synthesized) (string, map[string]interface{}) {
	t.Helper()
	for _, o := range distributionConfig(t, s)["Origins"].([]interface{}) {
		origin := o.(map[string]interface{})
		if id := getAtt(origin["DomainName"], "RegionalDomainName"); id != "" {
			return id, origin
		}
	}
	t.Fatal("no S3 origin")
	return "", nil
}

func TestFrontendOriginAccessControl(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) { testFrontendOriginAccessControl(t, s) })
	}
}

func testFrontendOriginAccessControl(t *testing.T, s *synthesized) {
	bucketID, origin := siteBucket(t, s)
	if _, ok := frontendResources(t, s, "AWS::S3::Bucket")[bucketID]; !ok {
		t.Fatalf("S3 origin %s is not a bucket of the stack", bucketID)
	}
	oacID := getAtt(origin["OriginAccessControlId"], "Id")
	oac, ok := frontendResources(t, s, "AWS::CloudFront::OriginAccessControl")[oacID]
	if !ok {
		t.Fatalf("S3 origin has no origin access control: %v", origin)
	}
	want := map[string]interface{}{"OriginAccessControlOriginType": "s3", "SigningBehavior": "always", "SigningProtocol": "sigv4"}
	got := props(oac)["OriginAccessControlConfig"].(map[string]interface{})
	for k, v := range want {
		if got[k] != v {
			t.Errorf("OAC %s = %v, want %v", k, got[k], v)
		}
	}
	if oai := origin["S3OriginConfig"].(map[string]interface{})["OriginAccessIdentity"]; oai != "" {
		t.Errorf("origin also has an origin access identity %v", oai)
	}
	check(t, func() {
		s.frontend.ResourceCountIs(jsii.String("AWS::CloudFront::CloudFrontOriginAccessIdentity"), jsii.Number(0))
	})

	// The bucket policy lets CloudFront read objects only for this distribution.
	distID, _ := only(t, s.frontend, "AWS::CloudFront::Distribution")
	var granted bool
	for _, pol := range frontendResources(t, s, "AWS::S3::BucketPolicy") {
		p := props(pol)
		if ref(p["Bucket"]) != bucketID {
			continue
		}
		for _, raw := range p["PolicyDocument"].(map[string]interface{})["Statement"].([]interface{}) {
			st := raw.(map[string]interface{})
			principal, _ := st["Principal"].(map[string]interface{})
			if st["Effect"] != "Allow" || principal["Service"] != "cloudfront.amazonaws.com" {
				continue
			}
			granted = true
			if st["Action"] != "s3:GetObject" {
				t.Errorf("CloudFront may %v, want s3:GetObject only", st["Action"])
			}
			cond, _ := json.Marshal(st["Condition"])
			if !strings.Contains(string(cond), `"AWS:SourceArn"`) || !strings.Contains(string(cond), `{"Ref":"`+distID+`"}`) {
				t.Errorf("CloudFront's grant is not conditioned on this distribution: %s", cond)
			}
		}
	}
	if !granted {
		t.Error("the bucket policy does not let CloudFront read")
	}
}

func TestFrontendBucketPrivate(t *testing.T) {
	s := synth(t)
	bucketID, _ := siteBucket(t, s)
	buckets := frontendResources(t, s, "AWS::S3::Bucket")
	p := props(buckets[bucketID])
	blockAll := map[string]interface{}{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}
	if !reflect.DeepEqual(p["PublicAccessBlockConfiguration"], blockAll) {
		t.Errorf("PublicAccessBlockConfiguration = %v, want all blocked", p["PublicAccessBlockConfiguration"])
	}
	if v, _ := p["VersioningConfiguration"].(map[string]interface{}); v["Status"] != "Enabled" {
		t.Errorf("versioning = %v", p["VersioningConfiguration"])
	}
	enc, _ := json.Marshal(p["BucketEncryption"])
	if !strings.Contains(string(enc), `"SSEAlgorithm":"AES256"`) {
		t.Errorf("encryption = %s", enc)
	}
	if _, website := p["WebsiteConfiguration"]; website {
		t.Error("the bucket is a website endpoint; CloudFront must read it through OAC")
	}
	logging, _ := p["LoggingConfiguration"].(map[string]interface{})
	if _, ok := buckets[ref(logging["DestinationBucketName"])]; !ok {
		t.Errorf("access logs go to %v, not the stack's log bucket", logging)
	}
	// Every bucket of the stack refuses plain HTTP and is not public.
	for id, b := range buckets {
		if !reflect.DeepEqual(props(b)["PublicAccessBlockConfiguration"], blockAll) {
			t.Errorf("bucket %s is not fully blocked from public access", id)
		}
		var ssl bool
		for _, pol := range frontendResources(t, s, "AWS::S3::BucketPolicy") {
			if ref(props(pol)["Bucket"]) != id {
				continue
			}
			doc, _ := json.Marshal(props(pol)["PolicyDocument"])
			ssl = ssl || strings.Contains(string(doc), `"aws:SecureTransport":"false"`)
		}
		if !ssl {
			t.Errorf("bucket %s does not deny requests without TLS", id)
		}
	}
}

func TestFrontendSecurityHeaders(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) { testFrontendSecurityHeaders(t, s) })
	}
}

func testFrontendSecurityHeaders(t *testing.T, s *synthesized) {
	policyID := s.stacks.Frontend.Resolve(s.stacks.Frontend.Headers.ResponseHeadersPolicyId()).(map[string]interface{})["Ref"].(string)
	bankID := s.stacks.Frontend.Resolve(s.stacks.Frontend.BankPagesHeaders.ResponseHeadersPolicyId()).(map[string]interface{})["Ref"].(string)
	referenceID := s.stacks.Frontend.Resolve(s.stacks.Frontend.ReferenceHeaders.ResponseHeadersPolicyId()).(map[string]interface{})["Ref"].(string)
	policy := frontendResources(t, s, "AWS::CloudFront::ResponseHeadersPolicy")[policyID]
	cfg := props(policy)["ResponseHeadersPolicyConfig"].(map[string]interface{})
	got := cfg["SecurityHeadersConfig"].(map[string]interface{})
	want := map[string]interface{}{
		"StrictTransportSecurity": map[string]interface{}{"AccessControlMaxAgeSec": 63072000.0, "IncludeSubdomains": true, "Override": true},
		"ContentSecurityPolicy":   map[string]interface{}{"ContentSecurityPolicy": stacks.ContentSecurityPolicy, "Override": true},
		"FrameOptions":            map[string]interface{}{"FrameOption": "DENY", "Override": true},
		"ContentTypeOptions":      map[string]interface{}{"Override": true},
		"ReferrerPolicy":          map[string]interface{}{"ReferrerPolicy": "strict-origin-when-cross-origin", "Override": true},
	}
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	// The CSP itself: only the portal's own origin, which serves the API too.
	directives := map[string]string{}
	for _, d := range strings.Split(stacks.ContentSecurityPolicy, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	for name, value := range map[string]string{
		"default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "connect-src": "'self'",
		"frame-ancestors": "'none'", "object-src": "'none'",
	} {
		if directives[name] != value {
			t.Errorf("CSP %s = %q, want %q", name, directives[name], value)
		}
	}
	if strings.Contains(stacks.ContentSecurityPolicy, "unsafe") || strings.Contains(stacks.ContentSecurityPolicy, "*") {
		t.Errorf("CSP allows unsafe or wildcard sources: %s", stacks.ContentSecurityPolicy)
	}
	// Every behavior, the API's included, sends the headers; the bank's pages and the
	// authorization endpoint theirs (TestFrontendBehaviors).
	dist := distributionConfig(t, s)
	behaviors := []interface{}{dist["DefaultCacheBehavior"]}
	behaviors = append(behaviors, dist["CacheBehaviors"].([]interface{})...)
	for _, b := range behaviors {
		b := b.(map[string]interface{})
		want := policyID
		switch {
		case slices.Contains(stacks.BrowserPaths, str(b["PathPattern"])):
			want = bankID
		case str(b["PathPattern"]) == stacks.ReferencePath:
			want = referenceID
		}
		if ref(b["ResponseHeadersPolicyId"]) != want {
			t.Errorf("behavior %v does not use the security headers policy %s", b["PathPattern"], want)
		}
	}
}

func TestFrontendBehaviors(t *testing.T) {
	s := synth(t)
	dist := distributionConfig(t, s)
	def := dist["DefaultCacheBehavior"].(map[string]interface{})
	if def["ViewerProtocolPolicy"] != "redirect-to-https" || def["CachePolicyId"] != cachingOptimized {
		t.Errorf("default behavior = %v", def)
	}
	if dist["DefaultRootObject"] != "index.html" {
		t.Errorf("DefaultRootObject = %v", dist["DefaultRootObject"])
	}
	behaviors := map[string]map[string]interface{}{}
	for _, b := range dist["CacheBehaviors"].([]interface{}) {
		b := b.(map[string]interface{})
		behaviors[str(b["PathPattern"])] = b
	}
	if len(behaviors) != 2+len(stacks.BrowserPaths) {
		t.Fatalf("behaviors %v, want /api/*, %s and %v", behaviors, stacks.ReferencePath, stacks.BrowserPaths)
	}
	// The TPP API reference's document: a file of the bucket, as the default behavior
	// serves it, without the SPA fallback, under its own policy.
	reference := behaviors[stacks.ReferencePath]
	for k, v := range map[string]interface{}{"TargetOriginId": def["TargetOriginId"], "CachePolicyId": cachingOptimized, "ViewerProtocolPolicy": "redirect-to-https"} {
		if !reflect.DeepEqual(reference[k], v) {
			t.Errorf("%s %s = %v, want %v", stacks.ReferencePath, k, reference[k], v)
		}
	}
	if _, ok := reference["FunctionAssociations"]; ok {
		t.Errorf("%s runs the SPA fallback", stacks.ReferencePath)
	}
	refPolicy := mustJSON(t, props(frontendResources(t, s, "AWS::CloudFront::ResponseHeadersPolicy")[ref(reference["ResponseHeadersPolicyId"])])["ResponseHeadersPolicyConfig"])
	for _, want := range []string{
		`"ContentSecurityPolicy":{"ContentSecurityPolicy":"` + stacks.ReferenceCSP + `","Override":true}`,
		`"FrameOptions":{"FrameOption":"SAMEORIGIN","Override":true}`,
		`"StrictTransportSecurity":{"AccessControlMaxAgeSec":63072000,"IncludeSubdomains":true,"Override":true}`,
	} {
		if !strings.Contains(refPolicy, want) {
			t.Errorf("%s headers policy %s, want %s", stacks.ReferencePath, refPolicy, want)
		}
	}
	api := behaviors["/api/*"]
	wantAPI := map[string]interface{}{
		"PathPattern":          "/api/*",
		"CachePolicyId":        cachingDisabled,
		"ViewerProtocolPolicy": "https-only",
		"AllowedMethods":       []interface{}{"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"},
	}
	for k, v := range wantAPI {
		if !reflect.DeepEqual(api[k], v) {
			t.Errorf("/api/* %s = %v, want %v", k, api[k], v)
		}
	}
	// The origin request policy passes the API's headers and the viewer's address, and
	// not the Host header.
	originPolicy := mustJSON(t, props(frontendResources(t, s, "AWS::CloudFront::OriginRequestPolicy")[ref(api["OriginRequestPolicyId"])])["OriginRequestPolicyConfig"])
	for _, want := range []string{`"CookiesConfig":{"CookieBehavior":"all"}`, `"QueryStringsConfig":{"QueryStringBehavior":"all"}`,
		`"HeadersConfig":{"HeaderBehavior":"whitelist","Headers":["Accept","Accept-Language","Content-Type","Origin","Referer","User-Agent","X-CSRF-Token","X-Request-ID","CloudFront-Viewer-Address"]}`} {
		if !strings.Contains(originPolicy, want) {
			t.Errorf("/api/* origin request policy %s, want %s", originPolicy, want)
		}
	}
	if _, ok := api["FunctionAssociations"]; ok {
		t.Error("/api/* runs the SPA fallback; API paths must reach the API unchanged")
	}
	// The authorization endpoint and the sandbox bank's pages: the same origin, uncached,
	// cookies and query strings passed on, and a headers policy that keeps the pages' CSP.
	headers := frontendResources(t, s, "AWS::CloudFront::ResponseHeadersPolicy")
	for _, path := range stacks.BrowserPaths {
		b, ok := behaviors[path]
		if !ok {
			t.Errorf("no behavior %s", path)
			continue
		}
		for k, v := range wantAPI {
			if k == "PathPattern" {
				v = path
			}
			if !reflect.DeepEqual(b[k], v) {
				t.Errorf("%s %s = %v, want %v", path, k, b[k], v)
			}
		}
		if !reflect.DeepEqual(b["OriginRequestPolicyId"], api["OriginRequestPolicyId"]) {
			t.Errorf("%s passes the origin %v, not the portal API's request policy %v", path, b["OriginRequestPolicyId"], api["OriginRequestPolicyId"])
		}
		if b["TargetOriginId"] != api["TargetOriginId"] {
			t.Errorf("%s goes to %v, not the portal API's origin %v", path, b["TargetOriginId"], api["TargetOriginId"])
		}
		policy := props(headers[ref(b["ResponseHeadersPolicyId"])])
		sec := mustJSON(t, policy["ResponseHeadersPolicyConfig"])
		want := `"ContentSecurityPolicy":{"ContentSecurityPolicy":"` + stacks.BankPagesCSP + `","Override":false}`
		if !strings.Contains(sec, want) || !strings.Contains(sec, `"StrictTransportSecurity":{"AccessControlMaxAgeSec":63072000,"IncludeSubdomains":true,"Override":true}`) {
			t.Errorf("%s headers policy %s, want HSTS and %s", path, sec, want)
		}
	}
	// The API origin is the portal API stack's HTTP API, over TLS.
	for _, o := range dist["Origins"].([]interface{}) {
		origin := o.(map[string]interface{})
		if origin["Id"] != api["TargetOriginId"] {
			continue
		}
		custom, _ := origin["CustomOriginConfig"].(map[string]interface{})
		if custom["OriginProtocolPolicy"] != "https-only" {
			t.Errorf("API origin protocol = %v", custom["OriginProtocolPolicy"])
		}
		domain, _ := json.Marshal(origin["DomainName"])
		endpoint, _ := json.Marshal(s.stacks.Frontend.Resolve(s.stacks.PortalAPI.API.ApiEndpoint()))
		if !strings.Contains(string(domain), string(endpoint)) {
			t.Errorf("API origin %s is not the host of the portal API's endpoint %s", domain, endpoint)
		}
	}
	logging, _ := dist["Logging"].(map[string]interface{})
	if getAtt(logging["Bucket"], "RegionalDomainName") == "" || logging["IncludeCookies"] != false {
		t.Errorf("standard logging = %v, want the log bucket without cookies", logging)
	}
}

// TestFrontendSPAFallback checks that the SPA's routes are served index.html by the
// viewer-request function of the default behavior, that no distribution-wide error
// response would rewrite the API's errors, and runs the function's code with Node (which
// CDK's jsii runtime needs anyway) on a table of paths.
func TestFrontendSPAFallback(t *testing.T) {
	s := synth(t)
	dist := distributionConfig(t, s)
	if errs, ok := dist["CustomErrorResponses"]; ok {
		t.Errorf("CustomErrorResponses %v would turn the API's 403 and 404 into index.html", errs)
	}
	fnID, fn := only(t, s.frontend, "AWS::CloudFront::Function")
	assoc, _ := dist["DefaultCacheBehavior"].(map[string]interface{})["FunctionAssociations"].([]interface{})
	if len(assoc) != 1 || assoc[0].(map[string]interface{})["EventType"] != "viewer-request" ||
		getAtt(assoc[0].(map[string]interface{})["FunctionARN"], "FunctionARN") != fnID {
		t.Errorf("default behavior's functions = %v, want the SPA fallback on viewer-request", assoc)
	}
	p := props(fn)
	if p["FunctionCode"] != stacks.SPAFallbackCode {
		t.Errorf("function code = %v", p["FunctionCode"])
	}
	if cfg, _ := p["FunctionConfig"].(map[string]interface{}); cfg["Runtime"] != "cloudfront-js-2.0" {
		t.Errorf("runtime = %v", cfg["Runtime"])
	}

	cases := map[string]string{
		"/":                                   "/index.html",
		"/apps":                               "/index.html",
		"/organizations/o-1/apps/a-1":         "/index.html",
		"/activate":                           "/index.html",
		"/index.html":                         "/index.html",
		"/assets/index-3f2a.js":               "/assets/index-3f2a.js",
		"/assets/index-3f2a.css":              "/assets/index-3f2a.css",
		"/favicon.ico":                        "/favicon.ico",
		"/docs/berlin-group/psd2-api-1.3.yml": "/docs/berlin-group/psd2-api-1.3.yml",
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	uris, _ := json.Marshal(cases)
	script := stacks.SPAFallbackCode + `
const cases = ` + string(uris) + `;
const out = {};
for (const uri of Object.keys(cases)) out[uri] = handler({request: {uri: uri}}).uri;
console.log(JSON.stringify(out));
`
	raw, err := exec.Command(node, "-e", script).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v: %s", err, raw)
	}
	var got map[string]string
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("node printed %s: %v", raw, err)
	}
	for uri, want := range cases {
		if got[uri] != want {
			t.Errorf("%s is served from %s, want %s", uri, got[uri], want)
		}
	}
}

func TestFrontendDeployment(t *testing.T) {
	s := synth(t)
	bucketID, _ := siteBucket(t, s)
	distID, _ := only(t, s.frontend, "AWS::CloudFront::Distribution")
	check(t, func() {
		s.frontend.HasResourceProperties(jsii.String("Custom::CDKBucketDeployment"), map[string]interface{}{
			"DestinationBucketName": map[string]interface{}{"Ref": bucketID},
			"DistributionId":        map[string]interface{}{"Ref": distID},
			"DistributionPaths":     []interface{}{"/*"},
			"Prune":                 true,
			"SourceObjectKeys":      assertions.Match_AnyValue(),
		})
	})
	check(t, func() {
		s.frontend.HasOutput(jsii.String("PortalUrl"), map[string]interface{}{})
	})
}

// TestReferenceCSP: the reference's policy is the portal's but for inline styles (Redoc's
// styled-components), no forms and framing by the portal itself; scripts stay the build's.
func TestReferenceCSP(t *testing.T) {
	parse := func(csp string) map[string]string {
		out := map[string]string{}
		for _, d := range strings.Split(csp, ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
			out[name] = value
		}
		return out
	}
	portal, reference := parse(stacks.ContentSecurityPolicy), parse(stacks.ReferenceCSP)
	changed := map[string]string{"style-src": "'self' 'unsafe-inline'", "form-action": "'none'", "frame-ancestors": "'self'"}
	if len(portal) != len(reference) {
		t.Fatalf("directives %v, want those of %v", reference, portal)
	}
	for name, value := range portal {
		want, ok := changed[name]
		if !ok {
			want = value
		}
		if reference[name] != want {
			t.Errorf("%s = %q, want %q", name, reference[name], want)
		}
	}
	if strings.Contains(reference["script-src"], "unsafe") {
		t.Errorf("script-src %q", reference["script-src"])
	}
}
