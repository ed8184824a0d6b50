package bankstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// loadedItem records which bank a table holds: written after the rest of the bank, so a
// load that stopped half way is loaded again.
type loadedItem struct {
	Key
	Seed        int       `dynamodbav:"seed"`
	Date        string    `dynamodbav:"date"`
	Fingerprint string    `dynamodbav:"fingerprint"`
	Items       int       `dynamodbav:"items"`
	LoadedAt    time.Time `dynamodbav:"loadedAt"`
}

// LoadResult says what Load did.
type LoadResult struct {
	// Skipped is true when the table already held this bank.
	Skipped bool
	// Items is the number of items the bank is (written, unless skipped).
	Items    int
	Requests int
	Duration time.Duration
}

// batchSize is BatchWriteItem's limit of items per request; loadWorkers how many requests
// a load has in flight at once. 8 loaded the bank about twice as fast as 1 on moto (whose
// launcher runs one DynamoDB request at a time, so only the client's side overlaps) and
// on DynamoDB Local; more gained nothing on two cores.
const (
	batchSize   = 25
	loadWorkers = 8
)

// Load writes the bank into the table with BatchWriteItem unless the table already holds
// it (the LOADED record names its fingerprint), so loading at every start costs one read
// after the first. A table that holds another bank is refused (ErrOtherBankLoaded) unless
// replace is set: the other bank's items are overwritten where the keys meet and left
// otherwise, and whatever was booked on them stays, so replacing suits a table whose
// ledger nothing else has changed yet.
func (s *Store) Load(ctx context.Context, bank sandboxbank.Bank, replace bool) (LoadResult, error) {
	started := time.Now()
	fingerprint := bank.Fingerprint()
	var loaded loadedItem
	err := s.get(ctx, LoadedKey(), &loaded, errNotLoaded)
	switch {
	case err == nil && loaded.Fingerprint == fingerprint:
		return LoadResult{Skipped: true, Items: loaded.Items, Duration: time.Since(started)}, nil
	case err == nil && !replace:
		return LoadResult{}, fmt.Errorf("%w: seed %d of %s", sandboxbank.ErrOtherBankLoaded, loaded.Seed, loaded.Date)
	case err != nil && !errors.Is(err, errNotLoaded):
		return LoadResult{}, err
	}
	items, err := bankItems(bank)
	if err != nil {
		return LoadResult{}, err
	}
	requests, err := s.batchWrite(ctx, items)
	if err != nil {
		return LoadResult{}, err
	}
	record, err := attributevalue.MarshalMap(loadedItem{LoadedKey(), bank.Seed, bank.Date, fingerprint, len(items), time.Now().UTC()})
	if err != nil {
		return LoadResult{}, apperr.Wrap(err, "marshal load record")
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: record}); err != nil {
		return LoadResult{}, apperr.Wrap(err, "record the load")
	}
	return LoadResult{Items: len(items), Requests: requests + 1, Duration: time.Since(started)}, nil
}

var errNotLoaded = errors.New("no bank loaded")

// bankItems are the bank's items: customers, accounts, ledgers (at version 1) and
// transactions.
func bankItems(bank sandboxbank.Bank) ([]map[string]types.AttributeValue, error) {
	records := make([]any, 0, len(bank.Customers)+len(bank.Accounts)+len(bank.Ledgers)+len(bank.Transactions))
	for _, c := range bank.Customers {
		records = append(records, customerRecord(c))
	}
	for _, a := range bank.Accounts {
		records = append(records, accountRecord(a))
	}
	ibans := make(map[string]string, len(bank.Accounts))
	for _, a := range bank.Accounts {
		ibans[a.ResourceID] = a.IBAN
	}
	for _, l := range bank.Ledgers {
		item := ledgerItem{Key: LedgerKey(l.AccountID), Ledger: l, Version: 1}
		if iban := ibans[l.AccountID]; iban != "" {
			item.GSI1PK, item.GSI1SK = ibanIndex(iban, l.Currency)
		}
		records = append(records, item)
	}
	for _, t := range bank.Transactions {
		records = append(records, transactionRecord(t))
	}
	items := make([]map[string]types.AttributeValue, len(records))
	for i, r := range records {
		item, err := attributevalue.MarshalMap(r)
		if err != nil {
			return nil, apperr.Wrap(err, "marshal bank item")
		}
		items[i] = item
	}
	return items, nil
}

// batchWrite puts the items in requests of batchSize, loadWorkers at a time, sending
// unprocessed items again after a growing pause; it returns the number of requests.
func (s *Store) batchWrite(ctx context.Context, items []map[string]types.AttributeValue) (int, error) {
	batches := make(chan []types.WriteRequest)
	var (
		mu       sync.Mutex
		firstErr error
		requests int
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range loadWorkers {
		wg.Go(func() {
			for batch := range batches {
				n, err := s.writeBatch(ctx, batch)
				mu.Lock()
				requests += n
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		})
	}
	for start := 0; start < len(items); start += batchSize {
		batch := make([]types.WriteRequest, 0, batchSize)
		for _, item := range items[start:min(start+batchSize, len(items))] {
			batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		}
		select {
		case batches <- batch:
		case <-ctx.Done():
		}
	}
	close(batches)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return requests, firstErr
}

func (s *Store) writeBatch(ctx context.Context, batch []types.WriteRequest) (int, error) {
	pause := 50 * time.Millisecond
	for n := 1; ; n++ {
		out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{s.table: batch}})
		if err != nil {
			return n, apperr.Wrap(err, "batch write")
		}
		batch = out.UnprocessedItems[s.table]
		if len(batch) == 0 {
			return n, nil
		}
		if n == 10 {
			return n, fmt.Errorf("batch write: %d items still unprocessed after %d requests", len(batch), n)
		}
		select {
		case <-time.After(pause):
			pause *= 2
		case <-ctx.Done():
			return n, ctx.Err()
		}
	}
}
