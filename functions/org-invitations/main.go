// Command org-invitations is the Lambda function of the portal route "org-invitations".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-invitations") }
