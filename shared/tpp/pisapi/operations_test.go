package pisapi_test

import (
	"fmt"
	"testing"
)

// TestEveryOperationOfEveryService sends one request of each payment operation under each
// payment service, with its exact status (the gate of TestMain needs an answer of each,
// checked against the official file): a payment's own authorisation is started, listed,
// read and updated, its cancellation's refused while it waits for its customer, and the
// payment then cancelled at once.
func TestEveryOperationOfEveryService(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	for _, c := range []struct{ service, body string }{
		{"payments", single("1.00", creditorIBAN)},
		{"bulk-payments", bulk("1.00")},
		{"periodic-payments", periodic("1.00")},
	} {
		t.Run(c.service, func(t *testing.T) {
			j.t = t
			path, _, _ := j.initiate(c.service, c.body, embedded)
			status, out, _ := j.do("POST", path+"/authorisations", embedded, "")
			self := path + "/authorisations/" + fmt.Sprint(out["authorisationId"])
			if status != 201 {
				t.Fatalf("start: %d %v", status, out)
			}
			for _, s := range []struct {
				method, path string
				headers      map[string]string
				body         string
				status       int
			}{
				{"GET", path, nil, "", 200},
				{"GET", path + "/status", nil, "", 200},
				{"GET", path + "/authorisations", nil, "", 200},
				{"GET", self, nil, "", 200},
				{"PUT", self, map[string]string{"PSU-ID": "one"}, password, 200},
				{"POST", path + "/cancellation-authorisations", nil, "", 409},
				{"GET", path + "/cancellation-authorisations", nil, "", 200},
				{"GET", path + "/cancellation-authorisations/nothing", nil, "", 404},
				{"PUT", path + "/cancellation-authorisations/nothing", nil, code, 404},
				{"DELETE", path, nil, "", 204},
			} {
				if status, out, _ := j.do(s.method, s.path, s.headers, s.body); status != s.status {
					t.Errorf("%s %s: %d %v, want %d", s.method, s.path, status, out, s.status)
				}
			}
		})
	}
}
