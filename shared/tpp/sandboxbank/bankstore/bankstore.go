package bankstore

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// DynamoDB is the subset of the DynamoDB client the store uses.
type DynamoDB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// Store is the bank in the TPP table.
type Store struct {
	db    DynamoDB
	table string
}

var _ sandboxbank.Store = (*Store)(nil)

// New returns the store of the named table.
func New(db DynamoDB, table string) *Store { return &Store{db: db, table: table} }

type customerItem struct {
	Key
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	sandboxbank.Customer
}

type accountItem struct {
	Key
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	sandboxbank.Account
}

type ledgerItem struct {
	Key
	// GSI1PK and GSI1SK index the ledger of an account with an IBAN by IBAN and currency.
	GSI1PK string `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK string `dynamodbav:"GSI1SK,omitempty"`
	sandboxbank.Ledger
	// Version counts the ledger's writes; a booking writes only the version it read.
	Version int64 `dynamodbav:"version"`
}

type transactionItem struct {
	Key
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	sandboxbank.Transaction
}

func customerRecord(c sandboxbank.Customer) customerItem {
	pk, sk := loginIndex(c.Login)
	return customerItem{CustomerKey(c.ID), pk, sk, c}
}

func accountRecord(a sandboxbank.Account) accountItem {
	return accountItem{AccountKey(a.ResourceID), accountsOf(a.CustomerID), accountIndexSK(a.Position, a.ResourceID), a}
}

func transactionRecord(t sandboxbank.Transaction) transactionItem {
	k := PendingKey(t.AccountID, t.ID)
	if t.Status == sandboxbank.Booked {
		k = BookedKey(t.AccountID, t.BookingDate, t.EntryReference)
	}
	pk, sk := transactionIndex(t.ID)
	return transactionItem{k, pk, sk, t}
}

func key(k Key) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		tppdata.AttrPK: &types.AttributeValueMemberS{Value: k.PK},
		tppdata.AttrSK: &types.AttributeValueMemberS{Value: k.SK},
	}
}

// get reads one item into out, strongly consistent; notFound when there is none.
func (s *Store) get(ctx context.Context, k Key, out any, notFound error) error {
	got, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(k), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return apperr.Wrap(err, "read "+k.PK)
	}
	if got.Item == nil {
		return notFound
	}
	if err := attributevalue.UnmarshalMap(got.Item, out); err != nil {
		return apperr.Wrap(err, "unmarshal "+k.PK)
	}
	return nil
}

// byIndexKey are the items whose GSI1 key is pk and sk: one query of the index.
func (s *Store) byIndexKey(ctx context.Context, pk, sk string) ([]map[string]types.AttributeValue, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &s.table, IndexName: aws.String(tppdata.IndexGSI1),
		KeyConditionExpression:   aws.String("#pk = :pk AND #sk = :sk"),
		ExpressionAttributeNames: map[string]string{"#pk": tppdata.AttrGSI1PK, "#sk": tppdata.AttrGSI1SK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: pk}, ":sk": &types.AttributeValueMemberS{Value: sk},
		},
	})
	if err != nil {
		return nil, err
	}
	return out.Items, nil
}

// CustomerByLogin finds a customer by sign-in name through GSI1.
func (s *Store) CustomerByLogin(ctx context.Context, login string) (sandboxbank.Customer, error) {
	pk, sk := loginIndex(login)
	items, err := s.byIndexKey(ctx, pk, sk)
	if err != nil {
		return sandboxbank.Customer{}, apperr.Wrap(err, "find customer")
	}
	if len(items) == 0 {
		return sandboxbank.Customer{}, sandboxbank.ErrCustomerUnknown
	}
	var item customerItem
	if err := attributevalue.UnmarshalMap(items[0], &item); err != nil {
		return sandboxbank.Customer{}, apperr.Wrap(err, "unmarshal customer")
	}
	return item.Customer, nil
}

// Accounts lists a customer's accounts through GSI1, in the bank's order.
func (s *Store) Accounts(ctx context.Context, customerID string) ([]sandboxbank.Account, error) {
	var accounts []sandboxbank.Account
	in := &dynamodb.QueryInput{
		TableName: &s.table, IndexName: aws.String(tppdata.IndexGSI1),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": tppdata.AttrGSI1PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: accountsOf(customerID)}},
	}
	pages := dynamodb.NewQueryPaginator(s.db, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, apperr.Wrap(err, "list accounts")
		}
		for _, raw := range page.Items {
			var item accountItem
			if err := attributevalue.UnmarshalMap(raw, &item); err != nil {
				return nil, apperr.Wrap(err, "unmarshal account")
			}
			accounts = append(accounts, item.Account)
		}
	}
	return accounts, nil
}

// Account reads an account by its resource ID.
func (s *Store) Account(ctx context.Context, resourceID string) (sandboxbank.Account, error) {
	var item accountItem
	if resourceID == "" {
		return sandboxbank.Account{}, sandboxbank.ErrAccountUnknown
	}
	err := s.get(ctx, AccountKey(resourceID), &item, sandboxbank.ErrAccountUnknown)
	return item.Account, err
}

// Ledger reads an account's ledger.
func (s *Store) Ledger(ctx context.Context, accountID string) (sandboxbank.Ledger, error) {
	l, _, err := s.ledger(ctx, accountID)
	return l, err
}

func (s *Store) ledger(ctx context.Context, accountID string) (sandboxbank.Ledger, int64, error) {
	var item ledgerItem
	if accountID == "" {
		return sandboxbank.Ledger{}, 0, sandboxbank.ErrAccountUnknown
	}
	err := s.get(ctx, LedgerKey(accountID), &item, sandboxbank.ErrAccountUnknown)
	return item.Ledger, item.Version, err
}

// Transactions queries one page of an account's partition: the booked sort keys between
// the two dates, or the pending ones, forwards from a next cursor or backwards from a
// previous or the last one. It reads one item more than the page, so that a page links
// to a page after (or before) only when there is one: no count, no second query.
func (s *Store) Transactions(ctx context.Context, q sandboxbank.TransactionQuery) (sandboxbank.TransactionPage, error) {
	if err := q.Check(); err != nil {
		return sandboxbank.TransactionPage{}, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = sandboxbank.DefaultPageSize
	}
	limit = min(limit, sandboxbank.MaxPageSize)
	pk := AccountKey(q.AccountID).PK
	var low, high string
	switch q.Status {
	case sandboxbank.Booked:
		low, high = bookedPrefix+q.From, bookedPrefix+bookedHigh
		if q.To != "" {
			high = bookedPrefix + q.To + "#" + bookedHigh
		}
	case sandboxbank.Pending:
		low, high = pendingPrefix, pendingPrefix+bookedHigh
	default:
		return sandboxbank.TransactionPage{}, apperr.New(apperr.Invalid, "BOOKING_STATUS_INVALID", "The booking status is booked or pending.")
	}
	c, err := decodeCursor(q.Cursor, low, high)
	if err != nil {
		return sandboxbank.TransactionPage{}, err
	}
	var start map[string]types.AttributeValue
	if c.sk != "" {
		start = key(Key{pk, c.sk})
	}
	var items []transactionItem
	for len(items) <= limit {
		out, err := s.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                &s.table,
			KeyConditionExpression:   aws.String("#pk = :pk AND #sk BETWEEN :low AND :high"),
			ExpressionAttributeNames: map[string]string{"#pk": tppdata.AttrPK, "#sk": tppdata.AttrSK},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk":   &types.AttributeValueMemberS{Value: pk},
				":low":  &types.AttributeValueMemberS{Value: low},
				":high": &types.AttributeValueMemberS{Value: high},
			},
			ExclusiveStartKey: start,
			ScanIndexForward:  aws.Bool(!c.backwards),
			Limit:             aws.Int32(int32(limit + 1 - len(items))),
		})
		if err != nil {
			return sandboxbank.TransactionPage{}, apperr.Wrap(err, "query transactions")
		}
		for _, raw := range out.Items {
			var item transactionItem
			if err := attributevalue.UnmarshalMap(raw, &item); err != nil {
				return sandboxbank.TransactionPage{}, apperr.Wrap(err, "unmarshal transaction")
			}
			items = append(items, item)
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		start = out.LastEvaluatedKey
	}
	more := len(items) > limit
	items = items[:min(len(items), limit)]
	if c.backwards {
		slices.Reverse(items)
	}
	var page sandboxbank.TransactionPage
	for _, item := range items {
		page.Transactions = append(page.Transactions, item.Transaction)
	}
	if len(items) == 0 {
		return page, nil
	}
	first, last := items[0].SK, items[len(items)-1].SK
	// Forwards, the page after exists when the query found more; the page before when
	// the page began after a cursor. Backwards the other way round, and the last page
	// has none after it.
	switch {
	case !c.backwards:
		if more {
			page.Next = encodeCursor(cursor{sk: last})
		}
		if c.sk != "" {
			page.Previous = encodeCursor(cursor{sk: first, backwards: true})
		}
	default:
		if more {
			page.Previous = encodeCursor(cursor{sk: first, backwards: true})
		}
		if c.sk != "" {
			page.Next = encodeCursor(cursor{sk: last})
		}
	}
	if page.Next != "" {
		page.Last = encodeCursor(cursor{backwards: true})
	}
	return page, nil
}

// cursor is where a page starts: after sk forwards, or before sk backwards; backwards
// without sk is the last page.
type cursor struct {
	sk        string
	backwards bool
}

// The cursor is "a" (after) or "b" (before) and a sort key, base64url: opaque to the TPP,
// and stable, since a sort key never changes.
func encodeCursor(c cursor) string {
	dir := "a"
	if c.backwards {
		dir = "b"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(dir + c.sk))
}

// decodeCursor reads a cursor of the query between low and high; "" is the first page.
func decodeCursor(s, low, high string) (cursor, error) {
	if s == "" {
		return cursor{}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) == 0 {
		return cursor{}, sandboxbank.ErrCursorInvalid
	}
	c := cursor{sk: string(raw[1:]), backwards: raw[0] == 'b'}
	switch {
	case raw[0] != 'a' && raw[0] != 'b':
		return cursor{}, sandboxbank.ErrCursorInvalid
	case c.sk == "" && c.backwards:
		return c, nil
	case c.sk < low || c.sk > high || !strings.HasPrefix(c.sk, low[:strings.Index(low, "#")+1]):
		return cursor{}, sandboxbank.ErrCursorInvalid
	}
	return c, nil
}

// Transaction finds a transaction of an account by its ID through GSI1: one query.
func (s *Store) Transaction(ctx context.Context, accountID, id string) (sandboxbank.Transaction, error) {
	if id == "" {
		return sandboxbank.Transaction{}, sandboxbank.ErrTransactionUnknown
	}
	pk, sk := transactionIndex(id)
	items, err := s.byIndexKey(ctx, pk, sk)
	if err != nil {
		return sandboxbank.Transaction{}, apperr.Wrap(err, "find transaction")
	}
	for _, raw := range items {
		var item transactionItem
		if err := attributevalue.UnmarshalMap(raw, &item); err != nil {
			return sandboxbank.Transaction{}, apperr.Wrap(err, "unmarshal transaction")
		}
		// A transaction of another account is as unknown as none: its ID opens nothing.
		if item.AccountID == accountID {
			return item.Transaction, nil
		}
	}
	return sandboxbank.Transaction{}, sandboxbank.ErrTransactionUnknown
}

// bookingRetries is how often Book reads the ledger again after another booking changed
// it between its read and its write.
const bookingRetries = 5

// Book writes in one transaction: the booking's ID (once), the transaction, and the
// ledger on the condition that it is still the version read and, for a debit, that its
// booked amount leaves room for the debit within the credit limit.
func (s *Store) Book(ctx context.Context, b sandboxbank.Booking) (sandboxbank.Transaction, error) {
	for attempt := 0; ; attempt++ {
		l, version, err := s.ledger(ctx, b.AccountID)
		if err != nil {
			return sandboxbank.Transaction{}, err
		}
		if err := b.Check(l); err != nil {
			return sandboxbank.Transaction{}, err
		}
		tx := b.Transaction(l.Entries + 1)
		before := l
		l.Post(tx, b.At)
		err = s.book(ctx, b, tx, before, l, version)
		var canceled *types.TransactionCanceledException
		switch {
		case err == nil:
			return tx, nil
		case errors.As(err, &canceled) && conditionFailed(canceled, 0):
			return sandboxbank.Transaction{}, sandboxbank.ErrBookingExists
		case errors.As(err, &canceled) && (conditionFailed(canceled, 2) || conflicted(canceled)) && attempt < bookingRetries:
			// Another booking changed the ledger first: read it again.
			time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
			continue
		default:
			return sandboxbank.Transaction{}, apperr.Wrap(err, "book")
		}
	}
}

func (s *Store) book(ctx context.Context, b sandboxbank.Booking, tx sandboxbank.Transaction, before, after sandboxbank.Ledger, version int64) error {
	reserve, err := attributevalue.MarshalMap(struct {
		Key
		AccountID string `dynamodbav:"accountId"`
		EntryKey  string `dynamodbav:"entryKey"`
	}{BookingKey(b.ID), b.AccountID, transactionRecord(tx).SK})
	if err != nil {
		return apperr.Wrap(err, "marshal booking")
	}
	item, err := attributevalue.MarshalMap(transactionRecord(tx))
	if err != nil {
		return apperr.Wrap(err, "marshal transaction")
	}
	values, err := attributevalue.MarshalMap(map[string]any{
		":booked": after.Booked, ":before": after.BookedBefore, ":date": after.LastBookingDate,
		":entries": after.Entries, ":entry": after.LastEntryReference, ":changed": after.LastChange,
		":version": version, ":next": version + 1,
	})
	if err != nil {
		return apperr.Wrap(err, "marshal ledger")
	}
	condition := "#version = :version"
	if b.Amount.Minor < 0 {
		// booked + pending debits + amount >= -limit, with the pending debits and limit
		// of the version read.
		values[":min"] = &types.AttributeValueMemberN{Value: itoa(-before.CreditLimit - before.PendingDebits - b.Amount.Minor)}
		condition += " AND #booked >= :min"
	}
	notExists := aws.String("attribute_not_exists(PK)")
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.table, Item: reserve, ConditionExpression: notExists}},
		{Put: &types.Put{TableName: &s.table, Item: item, ConditionExpression: notExists}},
		{Update: &types.Update{
			TableName: &s.table, Key: key(LedgerKey(b.AccountID)),
			UpdateExpression: aws.String("SET #booked = :booked, bookedBefore = :before, lastBookingDate = :date, " +
				"entries = :entries, lastEntryReference = :entry, lastChange = :changed, #version = :next"),
			ConditionExpression:       aws.String(condition),
			ExpressionAttributeNames:  map[string]string{"#booked": "booked", "#version": "version"},
			ExpressionAttributeValues: values,
		}},
	}})
	return err
}

// conflicted reports whether DynamoDB cancelled the transaction because another one was
// writing the same items at the same time.
func conflicted(e *types.TransactionCanceledException) bool {
	for _, r := range e.CancellationReasons {
		if aws.ToString(r.Code) == "TransactionConflict" {
			return true
		}
	}
	return false
}

// conditionFailed reports whether the transaction's item i failed its condition.
func conditionFailed(e *types.TransactionCanceledException, i int) bool {
	return i < len(e.CancellationReasons) && aws.ToString(e.CancellationReasons[i].Code) == "ConditionalCheckFailed"
}
