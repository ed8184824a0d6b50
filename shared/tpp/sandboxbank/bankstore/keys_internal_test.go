package bankstore

import (
	"testing"

	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/platform/tppkeys"
)

// TestKeysInFamilies: every partition key keys.go builds, on the table and on its index,
// belongs to the family of tppkeys that routes declare for it and IAM allows.
func TestKeysInFamilies(t *testing.T) {
	login, _ := loginIndex("anna")
	iban, _ := ibanIndex("BE00", "EUR")
	tx, _ := transactionIndex("t")
	for pk, family := range map[string]string{
		CustomerKey("c").PK: tppkeys.BankCustomer, accountsOf("c"): tppkeys.BankCustomer, login: tppkeys.BankLogin,
		AccountKey("a").PK: tppkeys.BankAccount, LedgerKey("a").PK: tppkeys.BankAccount, PendingKey("a", "t").PK: tppkeys.BankAccount,
		iban: tppkeys.BankIBAN, tx: tppkeys.BankTx, BookingKey("b").PK: tppkeys.BankBooking, LoadedKey().PK: tppkeys.BankData,
	} {
		if !(route.Keys{family}).Covers(pk) || !(tppkeys.All).Covers(family) {
			t.Errorf("partition %q is not in family %q of tppkeys", pk, family)
		}
	}
}
