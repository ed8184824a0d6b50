package paymentdb

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
		pkOf(paymentKey("p")): tppkeys.Payment, pkOf(instalmentKey("p", "2026-01-02")): tppkeys.Instalment,
		pkOf(replayKey("app", "r")): tppkeys.PayRequest, standingPartition: tppkeys.Standing,
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
