// Command org-invite is the Lambda function of the portal route "org-invite".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-invite") }
