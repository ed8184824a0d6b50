// Command org-invitation-revoke is the Lambda function of the portal route "org-invitation-revoke".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-invitation-revoke") }
