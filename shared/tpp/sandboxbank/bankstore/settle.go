package bankstore

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// ErrExtraFailed answers a settlement whose caller's items (Settle's extra) failed their
// condition: nothing was written.
var ErrExtraFailed = errors.New("bankstore: an item of the settlement failed its condition")

// AccountByIBAN is the resource ID of the bank's account of iban in currency (the account
// that keeps the money: a multi-currency account's sub-account), through GSI1, or
// sandboxbank.ErrAccountUnknown.
func (s *Store) AccountByIBAN(ctx context.Context, iban, currency string) (string, error) {
	if iban == "" || currency == "" {
		return "", sandboxbank.ErrAccountUnknown
	}
	pk, sk := ibanIndex(iban, currency)
	items, err := s.byIndexKey(ctx, pk, sk)
	if err != nil {
		return "", apperr.Wrap(err, "find account by IBAN")
	}
	if len(items) == 0 {
		return "", sandboxbank.ErrAccountUnknown
	}
	var item ledgerItem
	if err := attributevalue.UnmarshalMap(items[0], &item); err != nil {
		return "", apperr.Wrap(err, "unmarshal ledger")
	}
	return item.AccountID, nil
}

// Table is the name of the table the store keeps the bank in.
func (s *Store) Table() string { return s.table }

// settleRetries is how often Settle reads the ledgers again after another booking changed
// one of them between its read and its write.
const settleRetries = 20

// Settle books bookings (the sides of payments on the bank's accounts) and writes extra
// (the caller's items, such as a payment's new status under a condition on its old one) in
// one transaction: every booked transaction with the reservation of its booking's ID, and each account's ledger once, changed by
// all of its bookings, on condition that it is still the version read, so the debits
// checked against it fit. Nothing is written unless everything is. It answers
// ErrExtraFailed when an extra item failed its condition, sandboxbank.ErrOverdraft when a
// debit does not fit, sandboxbank.ErrBookingExists when a transaction's ID is taken; a
// ledger changed meanwhile is read again.
func (s *Store) Settle(ctx context.Context, bookings []sandboxbank.Booking, extra []types.TransactWriteItem) error {
	for attempt := 0; ; attempt++ {
		items, err := s.settlement(ctx, bookings)
		if err != nil {
			return err
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append(append([]types.TransactWriteItem{}, extra...), items...)})
		var canceled *types.TransactionCanceledException
		if err == nil {
			return nil
		}
		if !errors.As(err, &canceled) {
			return apperr.Wrap(err, "settle")
		}
		for i := range extra {
			if conditionFailed(canceled, i) {
				return ErrExtraFailed
			}
		}
		for i := len(extra); i < len(canceled.CancellationReasons); i++ {
			if conditionFailed(canceled, i) && items[i-len(extra)].Put != nil {
				return sandboxbank.ErrBookingExists
			}
		}
		if attempt == settleRetries {
			return apperr.Wrap(err, "settle: the ledgers kept changing")
		}
		// Another booking changed a ledger first, or wrote at the same time: read again,
		// after a pause that spreads the retries of concurrent settlements.
		time.Sleep(time.Duration(5+rand.IntN(20*(attempt+1))) * time.Millisecond)
	}
}

// settlement reads the ledgers the bookings change and returns the items that write them
// (ledger updates first, then the transactions), or the refusal of a booking.
func (s *Store) settlement(ctx context.Context, bookings []sandboxbank.Booking) ([]types.TransactWriteItem, error) {
	type account struct {
		before, after sandboxbank.Ledger
		version       int64
	}
	accounts := map[string]*account{}
	var order []string
	var txs []sandboxbank.Transaction
	for _, b := range bookings {
		a, ok := accounts[b.AccountID]
		if !ok {
			l, version, err := s.ledger(ctx, b.AccountID)
			if err != nil {
				return nil, err
			}
			a = &account{before: l, after: l, version: version}
			accounts[b.AccountID], order = a, append(order, b.AccountID)
		}
		if err := b.Check(a.after); err != nil {
			return nil, err
		}
		tx := b.Transaction(a.after.Entries + 1)
		a.after.Post(tx, b.At)
		txs = append(txs, tx)
	}
	var items []types.TransactWriteItem
	for _, id := range order {
		a := accounts[id]
		values, err := attributevalue.MarshalMap(map[string]any{
			":booked": a.after.Booked, ":before": a.after.BookedBefore, ":date": a.after.LastBookingDate,
			":entries": a.after.Entries, ":entry": a.after.LastEntryReference, ":changed": a.after.LastChange,
			":version": a.version, ":next": a.version + 1,
		})
		if err != nil {
			return nil, apperr.Wrap(err, "marshal ledger")
		}
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName: &s.table, Key: key(LedgerKey(id)),
			UpdateExpression: aws.String("SET #booked = :booked, bookedBefore = :before, lastBookingDate = :date, " +
				"entries = :entries, lastEntryReference = :entry, lastChange = :changed, #version = :next"),
			ConditionExpression:       aws.String("#version = :version"),
			ExpressionAttributeNames:  map[string]string{"#booked": "booked", "#version": "version"},
			ExpressionAttributeValues: values,
		}})
	}
	for _, tx := range txs {
		// The booking's ID is reserved beside its transaction, whose key changes with the
		// entry reference: the reservation is what makes an ID book once.
		reserve, err := attributevalue.MarshalMap(struct {
			Key
			AccountID string `dynamodbav:"accountId"`
			EntryKey  string `dynamodbav:"entryKey"`
		}{BookingKey(tx.ID), tx.AccountID, transactionRecord(tx).SK})
		if err != nil {
			return nil, apperr.Wrap(err, "marshal booking")
		}
		item, err := attributevalue.MarshalMap(transactionRecord(tx))
		if err != nil {
			return nil, apperr.Wrap(err, "marshal transaction")
		}
		notExists := aws.String("attribute_not_exists(PK)")
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: reserve, ConditionExpression: notExists}},
			types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: item, ConditionExpression: notExists}})
	}
	return items, nil
}
