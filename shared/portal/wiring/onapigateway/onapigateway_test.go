package onapigateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/wiring/onapigateway"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// planKeys are the values of the API keys in a usage plan.
func planKeys(t *testing.T, client *apigateway.Client, planID string) []string {
	t.Helper()
	out, err := client.GetUsagePlanKeys(context.Background(), &apigateway.GetUsagePlanKeysInput{UsagePlanId: aws.String(planID)})
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, k := range out.Items {
		values = append(values, aws.ToString(k.Name))
	}
	slices.Sort(values)
	return values
}

// keysNamed are the values of the API keys whose name starts with prefix.
func keysNamed(t *testing.T, client *apigateway.Client, prefix string) []string {
	t.Helper()
	out, err := client.GetApiKeys(context.Background(), &apigateway.GetApiKeysInput{NameQuery: aws.String(prefix), IncludeValues: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, k := range out.Items {
		if aws.ToString(k.Name) != aws.ToString(k.Value) || !k.Enabled {
			t.Fatalf("key %s: value %s, enabled %v", aws.ToString(k.Name), aws.ToString(k.Value), k.Enabled)
		}
		values = append(values, aws.ToString(k.Value))
	}
	slices.Sort(values)
	return values
}

// TestKeysOnMoto: Add makes the key and its usage-plan membership once however often it
// runs; Remove takes both away, also when run again; a plan of an environment without a
// usage plan here is left alone.
func TestKeysOnMoto(t *testing.T) {
	c := testenv.Config(t, testenv.MotoEndpoint(t))
	client := apigateway.NewFromConfig(testenv.AWS(t, c))
	ctx := context.Background()
	ids, err := motoserver.EnsureUsagePlans(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	// Only the sandbox plans, as in a sandbox deployment.
	sandbox := map[string]string{}
	for name, id := range ids {
		if strings.HasSuffix(name, "-sandbox") {
			sandbox[name] = id
		}
	}
	org, app := "org"+testenv.Suffix(), "app"+testenv.Suffix()
	g := onapigateway.New(client, sandbox)
	ais := apps.UsageKey{OrgID: org, AppID: app, ProductID: "ais", PlanID: "sandbox"}
	oauth := apps.UsageKey{OrgID: org, AppID: app, ProductID: "oauth2", PlanID: "sandbox"}
	prod := apps.UsageKey{OrgID: org, AppID: app, ProductID: "pis", PlanID: "production"}
	for range 2 {
		for _, k := range []apps.UsageKey{ais, oauth, prod} {
			if err := g.Add(ctx, k); err != nil {
				t.Fatalf("add %s: %v", k.Value(), err)
			}
		}
	}
	prefix := "usage." + org + "."
	if got := fmt.Sprint(keysNamed(t, client, prefix)); got != fmt.Sprintf("[%s %s]", ais.Value(), oauth.Value()) {
		t.Fatalf("keys after adding = %s", got)
	}
	if got := planKeys(t, client, sandbox["ais-sandbox"]); !slices.Contains(got, ais.Value()) || slices.Contains(got, oauth.Value()) {
		t.Fatalf("ais-sandbox holds %v", got)
	}
	if got := planKeys(t, client, sandbox["oauth2-sandbox"]); !slices.Contains(got, oauth.Value()) || slices.Contains(got, ais.Value()) {
		t.Fatalf("oauth2-sandbox holds %v", got)
	}
	for range 2 {
		if err := g.Remove(ctx, ais); err != nil {
			t.Fatalf("remove: %v", err)
		}
	}
	if got := fmt.Sprint(keysNamed(t, client, prefix)); got != fmt.Sprintf("[%s]", oauth.Value()) {
		t.Fatalf("keys after removing = %s", got)
	}
	if got := planKeys(t, client, sandbox["ais-sandbox"]); slices.Contains(got, ais.Value()) {
		t.Fatalf("ais-sandbox still holds the removed key: %v", got)
	}
}

// TestCallsTodayAsksAPIGatewayForTodaysUsage checks the requests the meter sends (moto
// does not implement GetUsage): the key is found by its name, and today's usage of that
// key is read from the usage plan of the product in this deployment's environment.
func TestCallsTodayAsksAPIGatewayForTodaysUsage(t *testing.T) {
	const keyID, planID = "k3y1d", "pl4n1d"
	value := apps.UsageKey{OrgID: "o1", AppID: "a1", ProductID: "ais"}.Value()
	var mu sync.Mutex
	var requests []string
	var usage atomic.Pointer[string]
	usage.Store(aws.String(`{"usagePlanId":"pl4n1d","startDate":"2026-12-06","endDate":"2026-12-06","values":{"k3y1d":[[137,9863]]}}`))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests = append(requests, r.Method+" "+r.URL.Path+"?"+r.URL.Query().Encode())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/apikeys":
			// A prefix match, as API Gateway's: the longer name must not be taken.
			b, _ := json.Marshal(map[string]any{"item": []map[string]any{
				{"id": "other", "name": value + "x", "enabled": true},
				{"id": keyID, "name": value, "enabled": true},
			}})
			_, _ = w.Write(b)
		case "/usageplans/" + planID + "/usage":
			_, _ = w.Write([]byte(*usage.Load()))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"not found"}`))
		}
	}))
	defer srv.Close()
	client := apigateway.NewFromConfig(aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.AnonymousCredentials{}})
	g := onapigateway.New(client, map[string]string{"ais-production": planID, "oauth2-production": "other-plan"})
	g.Now = func() time.Time { return time.Date(2026, 12, 6, 23, 59, 0, 0, time.FixedZone("CET", 3600)) }
	n, err := g.CallsToday(context.Background(), "o1", "a1", "ais")
	if err != nil || n != 137 {
		t.Fatalf("CallsToday = %d, %v", n, err)
	}
	want := []string{
		"GET /apikeys?limit=500&name=" + value,
		"GET /usageplans/" + planID + "/usage?endDate=2026-12-06&keyId=" + keyID + "&startDate=2026-12-06",
	}
	mu.Lock()
	sent := slices.Clone(requests)
	mu.Unlock()
	if !slices.Equal(sent, want) {
		t.Fatalf("requests\n%s\nwant\n%s", strings.Join(sent, "\n"), strings.Join(want, "\n"))
	}
	// No usage today is no calls; no key is not metered here.
	usage.Store(aws.String(`{"usagePlanId":"pl4n1d","values":{}}`))
	if n, err := g.CallsToday(context.Background(), "o1", "a1", "ais"); err != nil || n != 0 {
		t.Fatalf("without usage: %d, %v", n, err)
	}
	if _, err := g.CallsToday(context.Background(), "o1", "a2", "ais"); err == nil || !strings.Contains(err.Error(), "no usage key usage.o1.a2.ais") {
		t.Fatalf("without a key: %v", err)
	}
}

// TestPart: without usage plans there is nothing to keep; on moto there is no meter.
func TestPart(t *testing.T) {
	if u := onapigateway.UsagePlans(aws.Config{}, config.Config{}); u.Keys != nil || u.Meter != nil {
		t.Fatalf("without plans: %+v", u)
	}
	plans := map[string]string{"ais-sandbox": "p"}
	if u := onapigateway.UsagePlans(aws.Config{}, config.Config{Local: true, UsagePlanIDs: plans}); u.Keys == nil || u.Meter != nil {
		t.Fatalf("local: %+v", u)
	}
	if u := onapigateway.UsagePlans(aws.Config{}, config.Config{UsagePlanIDs: plans}); u.Keys == nil || u.Meter == nil {
		t.Fatalf("deployed: %+v", u)
	}
}
