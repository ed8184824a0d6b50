package route

import (
	"slices"
	"strings"
)

// Keys is a set of partition-key families of a DynamoDB table. A family that ends in "#"
// ("ORG#") is every partition whose key starts with it; any other ("ORGS", "CA#SANDBOX")
// is that one partition.
type Keys []string

// Covers says whether the partition key value pk belongs to one of the families.
func (k Keys) Covers(pk string) bool {
	for _, f := range k {
		if f == pk || (strings.HasSuffix(f, "#") && strings.HasPrefix(pk, f)) {
			return true
		}
	}
	return false
}

// Union is k and more, sorted, without duplicates.
func (k Keys) Union(more Keys) Keys {
	u := append(slices.Clone(k), more...)
	slices.Sort(u)
	return slices.Compact(u)
}

// LeadingKeys are the families as IAM's dynamodb:LeadingKeys patterns (StringLike): a
// prefix family ends in "*", a single partition stands as it is. No family holds the
// pattern characters "*" and "?", so each pattern matches exactly its family.
func (k Keys) LeadingKeys() []string {
	var out []string
	for _, f := range k.Union(nil) {
		if strings.HasSuffix(f, "#") {
			f += "*"
		}
		out = append(out, f)
	}
	return out
}
