package notifylogdb

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/platform/tppkeys"
)

// TestKeysInFamilies: every partition key the store builds, on the table and on its
// index, belongs to the family of tppkeys that routes declare for it and IAM allows.
func TestKeysInFamilies(t *testing.T) {
	for pk, family := range map[string]string{
		logPK("app"): tppkeys.NotifyLog, pkOf(logKey(notifylog.Delivery{ID: "n", AppID: "app"})): tppkeys.NotifyLog,
		pkOf(markerKey("n")): tppkeys.Notify, duePartition: tppkeys.NotifyDue,
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
