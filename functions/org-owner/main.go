// Command org-owner is the Lambda function of the portal route "org-owner".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-owner") }
