package workflow

import (
	"fmt"

	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup/keyspace"
)

// Keys are the portal table's partition-key families the state machine's tasks write:
// the request item it waits on; the decisions', time-outs' and failures' transactions
// (the organization and what it holds, its code and eIDAS identifier, the lookups the TPP
// API reads, an invited administrator's token); the cleanups that follow them and the
// cleanup marker. Its role may write no other partition (dynamodb:LeadingKeys); Check
// refuses, before an execution starts or a decision is sent, effects that would.
var Keys = route.Keys{
	keyspace.Request, keyspace.Org, keyspace.OrgCode, keyspace.OrgIdent, keyspace.Client,
	keyspace.Fingerprint, keyspace.Cleanup, keyspace.InviteToken,
}.Union(nil)

// ErrOutsideKeys is effects that write a partition outside Keys: the state machine's role
// would be refused it half-way through an execution.
type ErrOutsideKeys struct {
	Where, Partition string
}

func (e *ErrOutsideKeys) Error() string {
	return fmt.Sprintf("workflow: %s writes partition %q, outside the state machine's key families %v: add its family to workflow.Keys", e.Where, e.Partition, Keys)
}

// Check refuses an execution's input whose request, time-out or failure effects reach a
// partition outside Keys.
func (in Input) Check() error {
	if !Keys.Covers(in.Request.PK) {
		return &ErrOutsideKeys{Where: "the request", Partition: in.Request.PK}
	}
	if err := in.OnTimeout.check("the time-out"); err != nil {
		return err
	}
	return in.OnFailure.check("the failure")
}

// Check refuses a decision whose transaction, cleanup or cleanup marker reaches a
// partition outside Keys.
func (e Effects) Check() error { return e.check("the decision") }

func (e Effects) check(where string) error {
	items := append([]map[string]any{}, e.TransactItems...)
	if e.CleanupMarker != nil {
		items = append(items, e.CleanupMarker)
	}
	for _, it := range items {
		for _, pk := range wirePartitions(it) {
			if !Keys.Covers(pk) {
				return &ErrOutsideKeys{Where: where, Partition: pk}
			}
		}
	}
	for _, d := range e.Cleanup {
		if !Keys.Covers(d.PK) {
			return &ErrOutsideKeys{Where: where + "'s cleanup", Partition: d.PK}
		}
	}
	return nil
}

// wirePartitions are the partition keys of one transaction item in its wire form
// ({"Put": {"Item": {"PK": {"S": ...}}}}, {"Update": {"Key": ...}}, ...).
func wirePartitions(item map[string]any) []string {
	var out []string
	for _, op := range item {
		body, _ := op.(map[string]any)
		for _, field := range []string{"Item", "Key"} {
			attrs, _ := body[field].(map[string]any)
			pk, _ := attrs["PK"].(map[string]any)
			if s, ok := pk["S"].(string); ok {
				out = append(out, s)
			} else if attrs != nil {
				out = append(out, "")
			}
		}
	}
	return out
}
