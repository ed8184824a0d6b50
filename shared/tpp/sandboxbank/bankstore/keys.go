// Package bankstore keeps the sandbox bank in the TPP table (tppdata): customers,
// accounts, each account's ledger and its transactions by booking date. keys.go is the
// only file that builds key strings.
//
//	item          PK                    SK                          GSI1PK                        GSI1SK
//	customer      BANKCUSTOMER#<id>     CUSTOMER                    BANKLOGIN#<login>             CUSTOMER
//	account       BANKACCOUNT#<id>      ACCOUNT                     BANKCUSTOMER#<id>#ACCOUNTS    <position>#<id>
//	ledger        BANKACCOUNT#<id>      LEDGER                      BANKIBAN#<iban>               <currency>
//	booked        BANKACCOUNT#<id>      BOOKED#<date>#<entry>       BANKTX#<transaction id>       TX
//	pending       BANKACCOUNT#<id>      PENDING#<transaction id>    BANKTX#<transaction id>       TX
//	booking ID    BANKBOOKING#<id>      BOOKING
//	loaded bank   BANKDATA              LOADED
package bankstore

import "fmt"

// Key is an item's primary key.
type Key struct {
	PK string `dynamodbav:"PK"`
	SK string `dynamodbav:"SK"`
}

// CustomerKey is the key of a customer.
func CustomerKey(id string) Key { return Key{"BANKCUSTOMER#" + id, "CUSTOMER"} }

// loginIndex is GSI1's key of a customer, by sign-in name.
func loginIndex(login string) (string, string) { return "BANKLOGIN#" + login, "CUSTOMER" }

// AccountKey is the key of an account.
func AccountKey(id string) Key { return Key{"BANKACCOUNT#" + id, "ACCOUNT"} }

// accountsOf is GSI1's partition of a customer's accounts; accountIndexSK orders them.
func accountsOf(customerID string) string { return "BANKCUSTOMER#" + customerID + "#ACCOUNTS" }

func accountIndexSK(position int, id string) string { return fmt.Sprintf("%03d#%s", position, id) }

// LedgerKey is the key of an account's ledger.
func LedgerKey(accountID string) Key { return Key{"BANKACCOUNT#" + accountID, "LEDGER"} }

// ibanIndex is GSI1's key of an account's ledger, by IBAN and currency: a multi-currency
// account's sub-accounts share its IBAN, one currency each.
func ibanIndex(iban, currency string) (string, string) { return "BANKIBAN#" + iban, currency }

// Sort-key prefixes of an account's transactions; bookedHigh sorts after every booked
// key of a date (the entry references are digits).
const (
	bookedPrefix  = "BOOKED#"
	pendingPrefix = "PENDING#"
	bookedHigh    = "~"
)

// BookedKey is the key of a booked transaction: by booking date, then entry reference.
func BookedKey(accountID, date, entry string) Key {
	return Key{"BANKACCOUNT#" + accountID, bookedPrefix + date + "#" + entry}
}

// PendingKey is the key of a pending transaction.
func PendingKey(accountID, id string) Key { return Key{"BANKACCOUNT#" + accountID, pendingPrefix + id} }

// transactionIndex is GSI1's key of a transaction, by its ID.
func transactionIndex(id string) (string, string) { return "BANKTX#" + id, "TX" }

// BookingKey reserves a booking's ID, so that it is booked once.
func BookingKey(id string) Key { return Key{"BANKBOOKING#" + id, "BOOKING"} }

// LoadedKey is the key of the record of the bank loaded into the table.
func LoadedKey() Key { return Key{"BANKDATA", "LOADED"} }
