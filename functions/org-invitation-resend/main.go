// Command org-invitation-resend is the Lambda function of the portal route "org-invitation-resend".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-invitation-resend") }
