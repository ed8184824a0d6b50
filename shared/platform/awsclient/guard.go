package awsclient

import (
	"context"
	"fmt"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"github.com/bank/devportal/shared/platform/route"
)

// NeedOf is the route need an AWS call belongs to, by the SDK's service ID and operation;
// false for a service no route declares. A DynamoDB call is PortalTable here; the guard
// tells the TPP table's calls apart by the table they name.
func NeedOf(serviceID, operation string) (route.Need, bool) {
	switch serviceID {
	case "DynamoDB":
		return route.PortalTable, true
	case "Cognito Identity Provider":
		return route.UserPool, true
	case "SESv2":
		return route.Mail, true
	case "SFN":
		if operation == "SendTaskSuccess" || operation == "SendTaskFailure" {
			return route.DecideApproval, true
		}
		return route.StartApproval, true
	case "Secrets Manager":
		// Reading is what the CA's certificate needs; storing the CA's first value is for
		// the functions that hold the CA.
		if operation == "GetSecretValue" {
			return route.SandboxCACert, true
		}
		return route.SandboxCA, true
	case "S3":
		return route.PublishCRL, true
	case "API Gateway":
		return route.UsagePlans, true
	case "KMS":
		if operation == "GenerateMac" || operation == "VerifyMac" {
			return route.PasswordKey, true
		}
		return route.SessionKey, true
	}
	return 0, false
}

// ErrUndeclared is a call a route made without declaring its need.
type ErrUndeclared struct {
	ServiceID, Operation string
	Needs                route.Need
}

func (e *ErrUndeclared) Error() string {
	return fmt.Sprintf("awsclient: %s %s is called by a route whose needs are %s: declare the need in its route table line", e.ServiceID, e.Operation, e.Needs)
}

// guardNeeds refuses, before it is sent, an AWS call made for a route (route.WithNeeds)
// that did not declare the call's need. A deployed function has only its route's parts
// and grants anyway; the guard makes the same mistake fail in the tests and the local
// stack, which build every part, with a message that names it. A DynamoDB call needs
// the table it reaches: TPPTable for the TPP table (tppTable), PortalTable for any other.
func guardNeeds(tppTable string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("RouteNeedsGuard",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if needs, ok := route.NeedsFrom(ctx); ok {
					service, op := awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)
					need, known := NeedOf(service, op)
					if known && need == route.PortalTable {
						need = tableNeeds(tppTable, in.Parameters)
					}
					if !known || !needs.Has(need) {
						return middleware.InitializeOutput{}, middleware.Metadata{}, &ErrUndeclared{ServiceID: service, Operation: op, Needs: needs}
					}
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	}
}

// tableNeeds are the table needs of a DynamoDB call's input: TPPTable for each reach of
// the TPP table, PortalTable for each of another table (and for a call that names none).
func tableNeeds(tppTable string, params any) route.Need {
	_, reaches := reachesOf(params)
	var n route.Need
	for _, r := range reaches {
		if tppTable != "" && r.table == tppTable {
			n |= route.TPPTable
		} else {
			n |= route.PortalTable
		}
	}
	if n == 0 {
		n = route.PortalTable
	}
	return n
}
