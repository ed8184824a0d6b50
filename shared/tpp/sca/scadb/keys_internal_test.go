package scadb

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/platform/tppkeys"
	"github.com/bank/devportal/shared/tpp/sca"
)

// TestKeysInFamilies: every partition key the store builds, on the table and on its
// index, belongs to the family of tppkeys that routes declare for it and IAM allows.
func TestKeysInFamilies(t *testing.T) {
	for pk, family := range map[string]string{
		pkOf(key(sca.Ref{Kind: sca.Payment, ResourceID: "p", ID: "a"})):             tppkeys.SCAPayment,
		pkOf(key(sca.Ref{Kind: sca.PaymentCancellation, ResourceID: "p", ID: "a"})): tppkeys.SCACancellation,
		pkOf(key(sca.Ref{Kind: sca.AISConsent, ResourceID: "c", ID: "a"})):          tppkeys.SCAConsent,
		pkOf(key(sca.Ref{Kind: sca.PIISConsent, ResourceID: "c", ID: "a"})):         tppkeys.SCAFunds,
		pkOf(key(sca.Ref{Kind: sca.SigningBasket, ResourceID: "b", ID: "a"})):       tppkeys.SCABasket,
		waitingIndex("c"): tppkeys.PSU,
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
