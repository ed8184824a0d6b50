package stacks_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/org"
)

// TestCRLBucket: a sandbox deployment publishes the sandbox CA's CRL to a private bucket of
// the frontend stack, named as the portal API's functions derive it, and serves that one
// object at /sandbox-ca/crl.der through the distribution with origin access control,
// uncached; a production deployment has neither. Only the publishing functions may put it.
func TestCRLBucket(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) {
			var crl []string
			for id, b := range frontendResources(t, s, "AWS::S3::Bucket") {
				if name := props(b)["BucketName"]; name != nil {
					if !reflect.DeepEqual(name, s.stacks.Frontend.Resolve(stacks.CRLBucketName())) {
						t.Errorf("bucket %s is named %v", id, name)
					}
					crl = append(crl, id)
					block := props(b)["PublicAccessBlockConfiguration"].(map[string]interface{})
					for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
						if block[k] != true {
							t.Errorf("the CRL bucket's %s is %v", k, block[k])
						}
					}
				}
			}
			var paths []string
			for _, b := range distributionConfig(t, s)["CacheBehaviors"].([]interface{}) {
				behavior := b.(map[string]interface{})
				paths = append(paths, behavior["PathPattern"].(string))
				if behavior["PathPattern"] == config.CRLPath {
					if behavior["CachePolicyId"] != cachingDisabled || !slices.Equal(stringList(behavior["AllowedMethods"]), []string{"GET", "HEAD"}) {
						t.Errorf("CRL behavior = %v", behavior)
					}
				}
			}
			if s.env == org.Production {
				if len(crl) != 0 || slices.Contains(paths, config.CRLPath) {
					t.Fatalf("production has a CRL bucket %v or behavior %v", crl, paths)
				}
				return
			}
			if len(crl) != 1 || !slices.Contains(paths, config.CRLPath) {
				t.Fatalf("CRL bucket %v, behaviors %v", crl, paths)
			}
			var oac bool
			for _, o := range distributionConfig(t, s)["Origins"].([]interface{}) {
				origin := o.(map[string]interface{})
				if getAtt(origin["DomainName"], "RegionalDomainName") == crl[0] {
					oac = origin["OriginAccessControlId"] != nil
				}
			}
			if !oac {
				t.Error("the CRL bucket is not an origin with origin access control")
			}
			// The publishing functions may put exactly the CRL object.
			for _, name := range []string{"org-certificate-revoke", "certificate-revocation-check"} {
				var resources []interface{}
				for _, st := range roleStatements(t, s, name) {
					if slices.Contains(st.actions, "s3:PutObject") {
						resources = append(resources, st.resources...)
					}
				}
				if want := s.stacks.PortalAPI.Resolve(stacks.CRLObjectARN()); len(resources) != 1 || !reflect.DeepEqual(resources[0], want) {
					t.Errorf("%s may put %v, want only %v", name, resources, want)
				}
			}
		})
	}
}
