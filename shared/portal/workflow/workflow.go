// Package workflow is the one approval workflow every request type goes through: a Step
// Functions Standard state machine that waits for an operations decision (a task token
// stored on the request item), then applies the DynamoDB writes and sends the email the
// decision carries, all through direct service integrations. Its definition is one ASL
// file whose ${Placeholders} CDK fills through DefinitionSubstitutions and the local
// bootstrap fills through Definition.
package workflow

import (
	_ "embed"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/bank/devportal/shared/platform/config"
)

//go:embed approval.asl.json
var approvalASL string

var placeholder = regexp.MustCompile(`\$\{([A-Za-z]+)\}`)

// ASL returns the definition with its placeholders, for CDK's DefinitionSubstitutions.
func ASL() string { return approvalASL }

// Placeholders lists the names the definition expects, in order of appearance.
func Placeholders() []string {
	var names []string
	seen := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(approvalASL, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			names = append(names, m[1])
		}
	}
	return names
}

// Substitutions are the placeholder values for a configuration; CDK passes the same keys
// with its tokens for the table name.
func Substitutions(c config.Config) map[string]string {
	return map[string]string{
		"PortalTable":            c.PortalTable,
		"MailFrom":               c.MailFrom,
		"DecisionTimeoutSeconds": strconv.Itoa(int(c.DecisionTimeout.Seconds())),
	}
}

// Definition fills every placeholder; a missing value is an error, never an empty string.
func Definition(subs map[string]string) (string, error) {
	var missing []string
	out := placeholder.ReplaceAllStringFunc(approvalASL, func(m string) string {
		name := m[2 : len(m)-1]
		v, ok := subs[name]
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("workflow: no value for %s", strings.Join(missing, ", "))
	}
	return out, nil
}
