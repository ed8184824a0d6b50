package consentdb

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/platform/tppkeys"
)

// TestKeysInFamilies: every partition key the store builds, on the table and on its
// index, belongs to the family of tppkeys that routes declare for it and IAM allows.
func TestKeysInFamilies(t *testing.T) {
	for pk, family := range map[string]string{
		pkOf(consentKey("c")): tppkeys.Consent, pkOf(useKey("c", "a", "2026-01-02")): tppkeys.Consent,
		pkOf(piisKey("c")): tppkeys.PIIS, customerIndex("psu"): tppkeys.PSU,
	} {
		if !(route.Keys{family}).Covers(pk) || !(tppkeys.All).Covers(family) {
			t.Errorf("partition %q is not in family %q of tppkeys", pk, family)
		}
	}
}

// pkOf is the partition key of an item's key.
func pkOf(key map[string]types.AttributeValue) string {
	s, _ := key["PK"].(*types.AttributeValueMemberS)
	if s == nil {
		return ""
	}
	return s.Value
}
